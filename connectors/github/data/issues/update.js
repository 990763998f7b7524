// PATCH /repos/{owner}/{repo}/issues/{issue_number}: closing an issue is `state: closed`
// (with an optional stateReason), which GitHub prefers to deleting it.

export default async function update({ apiClient, parameters, id, fields = {} }) {
  const body = {}
  for (const key of ['title', 'body', 'state', 'labels', 'assignees', 'milestone']) {
    if (fields[key] !== undefined) body[key] = fields[key]
  }
  if (fields.stateReason !== undefined) body.state_reason = fields.stateReason
  const issue = await apiClient.patch(
    `/repos/${encodeURIComponent(parameters.owner)}/${encodeURIComponent(parameters.repo)}/issues/${encodeURIComponent(id)}`,
    body,
  )
  return { id: String(issue.number) }
}
