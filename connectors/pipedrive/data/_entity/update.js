// PUT /<path>/<id>: Pipedrive's v1 update changes only the fields sent.
const READ_ONLY = new Set(['id', 'add_time', 'update_time', 'company_id', 'active_flag', 'cc_email'])

export default async function update({ apiClient, parameters, id, fields = {} }) {
  const body = Object.fromEntries(Object.entries(fields).filter(([key]) => !READ_ONLY.has(key)))
  const response = await apiClient.put(`/${parameters.path}/${encodeURIComponent(id)}`, body)
  return { id: String(response.data.id) }
}
