// POST /repos/{owner}/{repo}/hooks: a webhook for "issues" events delivering JSON to the
// runtime's webhookUri, signed with a secret generated here and kept in the state.
import crypto from 'crypto'

export default async function subscribe({ apiClient, parameters, webhookUri }) {
  const secret = crypto.randomUUID().replace(/-/g, '') + crypto.randomUUID().replace(/-/g, '')
  const hook = await apiClient.post(
    `/repos/${encodeURIComponent(parameters.owner)}/${encodeURIComponent(parameters.repo)}/hooks`,
    {
      name: 'web',
      active: true,
      events: ['issues'],
      config: { url: webhookUri, content_type: 'json', secret, insecure_ssl: '0' },
    },
  )
  return { state: { hookId: hook.id, secret } }
}
