// GET /Contacts?page=N&pageSize=M. Xero pages by number; the response's pagination block
// ({page, pageSize, pageCount, itemCount}) says whether another page exists, and older
// responses without it end when a page comes back short.
exports.list = async function list({ apiClient, parameters = {}, cursor }) {
  const page = Number(cursor || 1)
  const pageSize = parameters.pageSize || 100
  const query = { page, pageSize }
  if (parameters.includeArchived) query.includeArchived = 'true'
  const response = await apiClient.get('/Contacts', query)

  const contacts = response.Contacts || []
  const records = contacts.map((contact) => ({
    id: contact.ContactID,
    name: contact.Name,
    updatedTime: fromXeroDate(contact.UpdatedDateUTC),
    fields: contact,
  }))
  const more = response.pagination
    ? response.pagination.page < response.pagination.pageCount
    : contacts.length === pageSize
  return more ? { records, cursor: String(page + 1) } : { records }
}

// "/Date(1573755038314+0000)/" → "2019-11-14T18:10:38.314Z"
function fromXeroDate(value) {
  const match = /\/Date\((-?\d+)([+-]\d{4})?\)\//.exec(value || '')
  return match ? new Date(Number(match[1])).toISOString() : value || undefined
}
