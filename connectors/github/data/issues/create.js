// POST /repos/{owner}/{repo}/issues: only the fields GitHub accepts on creation are sent (a new
// issue is always open, so state / stateReason are for update).

export default async function create({ apiClient, parameters, fields }) {
  const issue = await apiClient.post(
    `/repos/${encodeURIComponent(parameters.owner)}/${encodeURIComponent(parameters.repo)}/issues`,
    toApi(fields),
  )
  return { id: String(issue.number) }
}

function toApi(fields = {}) {
  const body = {}
  for (const key of ['title', 'body', 'labels', 'assignees', 'milestone']) {
    if (fields[key] !== undefined) body[key] = fields[key]
  }
  return body
}
