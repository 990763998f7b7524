// DELETE /v1/webhook_endpoints/{id}
exports.unsubscribe = async function unsubscribe({ apiClient, state }) {
  if (state && state.endpointId) {
    await apiClient.delete(`/webhook_endpoints/${encodeURIComponent(state.endpointId)}`)
  }
  return {}
}
