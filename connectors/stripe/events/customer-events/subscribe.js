// POST /v1/webhook_endpoints. Stripe returns the signing secret only in this response, so it
// goes into the subscription state, with the endpoint id for unsubscribe.
const EVENTS = ['customer.created', 'customer.updated', 'customer.deleted']

exports.subscribe = async function subscribe({ apiClient, webhookUri }) {
  const form = new URLSearchParams()
  form.append('url', webhookUri)
  EVENTS.forEach((event, i) => form.append(`enabled_events[${i}]`, event))
  form.append('description', 'connector-runtime: customer events')
  const endpoint = await apiClient.post('/webhook_endpoints', form)
  return { state: { endpointId: endpoint.id, secret: endpoint.secret } }
}
