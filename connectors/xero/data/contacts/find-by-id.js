// GET /Contacts/{ContactID} answers {Contacts: [contact]}.
exports.findById = async function findById({ apiClient, id }) {
  const response = await apiClient.get(`/Contacts/${encodeURIComponent(id)}`)
  const contact = (response.Contacts || [])[0]
  if (!contact) return {}
  const match = /\/Date\((-?\d+)/.exec(contact.UpdatedDateUTC || '')
  return {
    record: {
      id: contact.ContactID,
      name: contact.Name,
      updatedTime: match ? new Date(Number(match[1])).toISOString() : undefined,
      fields: contact,
    },
  }
}
