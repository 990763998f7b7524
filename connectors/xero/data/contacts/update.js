// POST /Contacts/{ContactID} updates only the fields sent.
exports.update = async function update({ apiClient, id, fields }) {
  const response = await apiClient.post(`/Contacts/${encodeURIComponent(id)}`, {
    Contacts: [{ ...fields, ContactID: id }],
  })
  return { id: response.Contacts[0].ContactID }
}
