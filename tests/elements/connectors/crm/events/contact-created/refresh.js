export default async function refresh({ apiClient, state }) {
  const renewed = await apiClient.post(`/crm/webhooks/${state.webhookId}/renew`);
  return { state: { ...state, renewed: true }, nextRefreshTimestamp: renewed.expiresAt };
}
