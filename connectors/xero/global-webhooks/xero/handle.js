// Verifies x-xero-signature, then routes each event to the connections of its organisation:
// the selector is "<tenantId>:<eventCategory>" (e.g. "...:CONTACT", "...:INVOICE").
const crypto = require('crypto')

module.exports = async function handle({ headers, rawBody, connectorParameters }) {
  const key = connectorParameters && connectorParameters.webhookKey
  if (!key) throw new Error('connector parameter webhookKey is not set')

  const expected = crypto.createHmac('sha256', key).update(rawBody || '').digest('base64')
  const signature = headerValue(headers, 'x-xero-signature')
  if (!signature || !constantTimeEqual(signature, expected)) {
    console.warn('rejected a delivery with a wrong x-xero-signature')
    return { events: [], response: { status: 401 } }
  }

  const body = JSON.parse(rawBody)
  return {
    events: (body.events || []).map((event) => ({
      selector: `${event.tenantId}:${event.eventCategory}`,
      payload: event,
    })),
    response: { status: 200 },
  }
}

function headerValue(headers, name) {
  for (const [key, value] of Object.entries(headers || {})) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value
  }
  return undefined
}

function constantTimeEqual(a, b) {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
