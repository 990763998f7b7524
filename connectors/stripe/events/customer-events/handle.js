// Stripe-Signature: t=1492774577,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
// The signed payload is `${t}.${rawBody}`; any v1 entry may match (several during secret rolls).
const crypto = require('crypto')

const TYPES = { 'customer.created': 'created', 'customer.updated': 'updated', 'customer.deleted': 'deleted' }

exports.handle = async function handle({ headers, rawBody, state, parameters = {} }) {
  if (!state || !state.secret) throw new Error('webhook state has no signing secret: subscribe first')
  const header = headerValue(headers, 'stripe-signature')
  const { timestamp, signatures } = parseSignatureHeader(header)
  const expected = crypto.createHmac('sha256', state.secret).update(`${timestamp}.${rawBody}`).digest('hex')

  if (!timestamp || !signatures.some((s) => constantTimeEqual(s, expected))) {
    console.warn('rejected a delivery: Stripe-Signature does not match')
    return { events: [], response: { status: 400, data: { error: 'invalid signature' } } }
  }
  const tolerance = parameters.toleranceSeconds ?? 300
  if (tolerance > 0 && Math.abs(Date.now() / 1000 - Number(timestamp)) > tolerance) {
    console.warn('rejected a delivery: Stripe-Signature timestamp outside the tolerance')
    return { events: [], response: { status: 400, data: { error: 'timestamp outside the tolerance' } } }
  }

  const event = JSON.parse(rawBody)
  const type = TYPES[event.type]
  if (!type) return { events: [], response: { status: 200, data: { received: true } } }
  const customer = event.data.object
  return {
    events: [
      {
        type,
        record: { id: customer.id, name: customer.name || customer.email || customer.id, fields: customer },
        stripeEventId: event.id,
      },
    ],
    response: { status: 200, data: { received: true } },
  }
}

function headerValue(headers, name) {
  for (const [key, value] of Object.entries(headers || {})) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value
  }
  return ''
}

function parseSignatureHeader(header) {
  let timestamp = null
  const signatures = []
  for (const item of (header || '').split(',')) {
    const [key, value] = item.split('=', 2).map((s) => s && s.trim())
    if (key === 't') timestamp = value
    else if (key === 'v1' && value) signatures.push(value)
  }
  return { timestamp, signatures }
}

function constantTimeEqual(a, b) {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
