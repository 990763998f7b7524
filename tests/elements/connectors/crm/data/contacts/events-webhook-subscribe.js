// One webhook serves created and updated (files named events-webhook-<method>).
export default async function subscribe({ apiClient, webhookUri }) {
  const hook = await apiClient.post("/crm/webhooks", { url: webhookUri, resource: "contacts" });
  return { state: { webhookId: hook.id, secret: hook.secret }, nextRefreshTimestamp: hook.expiresAt };
}
