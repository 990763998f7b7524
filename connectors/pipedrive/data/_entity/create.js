// POST /<path> with the fields as JSON (custom fields by their hash keys, as customFields
// describes them). Read-only keys that come back from the API are not sent.
const READ_ONLY = new Set(['id', 'add_time', 'update_time', 'company_id', 'active_flag', 'cc_email'])

export default async function create({ apiClient, parameters, fields = {} }) {
  const body = Object.fromEntries(Object.entries(fields).filter(([key]) => !READ_ONLY.has(key)))
  const response = await apiClient.post(`/${parameters.path}`, body)
  return { id: String(response.data.id) }
}
