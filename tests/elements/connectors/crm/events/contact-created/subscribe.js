export default async function subscribe({ apiClient, webhookUri, parameters }) {
  const hook = await apiClient.post("/crm/webhooks", { url: webhookUri, resource: parameters.resource });
  return { state: { webhookId: hook.id, secret: hook.secret }, nextRefreshTimestamp: hook.expiresAt };
}
