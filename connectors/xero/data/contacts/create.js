// PUT /Contacts creates (POST would create or update). `fields` arrive already mapped to
// Xero's names by fieldsToApi.
exports.create = async function create({ apiClient, fields }) {
  const response = await apiClient.put('/Contacts', { Contacts: [fields] })
  return { id: response.Contacts[0].ContactID }
}
