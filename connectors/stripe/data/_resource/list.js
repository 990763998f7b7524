// Cursor pagination: the cursor is the id of the last object of the previous page, sent back
// as starting_after; has_more false marks the last page.
exports.list = async function list({ apiClient, parameters, cursor }) {
  const query = { limit: parameters.pageSize || 100 }
  if (cursor) query.starting_after = cursor
  const page = await apiClient.get(`/${parameters.path}`, query)

  const records = page.data.map((object) => ({
    id: object.id,
    name: object.name || object.email || object.number || object.id,
    createdTime: object.created ? new Date(object.created * 1000).toISOString() : undefined,
    fields: object,
  }))
  const last = page.data[page.data.length - 1]
  return page.has_more && last ? { records, cursor: last.id } : { records }
}
