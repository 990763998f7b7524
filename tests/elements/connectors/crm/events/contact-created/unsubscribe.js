export default async function unsubscribe({ apiClient, state }) {
  await apiClient.delete(`/crm/webhooks/${state.webhookId}`);
}
