// POST /v1/webhook_endpoints. Stripe returns the signing secret only in this response, so it
// goes into the subscription state, with the endpoint id for unsubscribe. The endpoint is
// pinned to the API version the client sends (Stripe-Version), so the event payloads have the
// same shape as the objects this connector reads; without it Stripe renders them in the
// account's default version.
const API_VERSION = '2024-06-20'
const EVENTS = ['customer.created', 'customer.updated', 'customer.deleted']

exports.subscribe = async function subscribe({ apiClient, webhookUri }) {
  const form = new URLSearchParams()
  form.append('url', webhookUri)
  EVENTS.forEach((event, i) => form.append(`enabled_events[${i}]`, event))
  form.append('api_version', API_VERSION)
  form.append('description', 'connector-runtime: customer events')
  const endpoint = await apiClient.post('/webhook_endpoints', form)
  return { state: { endpointId: endpoint.id, secret: endpoint.secret } }
}
