// DELETE /repos/{owner}/{repo}/hooks/{hook_id}; a hook that is already gone is fine.

export default async function unsubscribe({ apiClient, parameters, state }) {
  if (!state || !state.hookId) return {}
  try {
    await apiClient.delete(
      `/repos/${encodeURIComponent(parameters.owner)}/${encodeURIComponent(parameters.repo)}/hooks/${state.hookId}`,
    )
  } catch (error) {
    if (error.key !== 'not_found') throw error
  }
  return {}
}
