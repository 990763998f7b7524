// Verifies X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the webhook secret, hex,
// prefixed "sha256=") before trusting anything in the payload. A delivery that fails the
// check is answered 401 and produces no event.
import crypto from 'crypto'

export default async function handle({ headers, rawBody, state }) {
  const signature = header(headers, 'x-hub-signature-256')
  if (!state || !state.secret) {
    throw new Error('webhook state has no secret: subscribe first')
  }
  const expected = 'sha256=' + crypto.createHmac('sha256', state.secret).update(rawBody || '').digest('hex')
  if (!signature || !constantTimeEqual(signature, expected)) {
    console.warn('rejected a delivery with a missing or wrong X-Hub-Signature-256')
    return { events: [], response: { status: 401, data: { error: 'invalid signature' } } }
  }

  const eventName = header(headers, 'x-github-event')
  // The verified bytes are what count: parse rawBody rather than trusting `data`.
  const payload = JSON.parse(rawBody)
  if (eventName === 'ping') {
    return { events: [], response: { status: 200, data: { ok: true, zen: payload.zen } } }
  }
  if (eventName !== 'issues' || !payload.issue) {
    return { events: [], response: { status: 202 } }
  }

  const issue = payload.issue
  return {
    events: [
      {
        type: payload.action,
        record: {
          id: String(issue.number),
          name: issue.title,
          uri: issue.html_url,
          createdTime: issue.created_at,
          updatedTime: issue.updated_at,
          fields: issue,
        },
        repository: payload.repository && payload.repository.full_name,
        sender: payload.sender && payload.sender.login,
      },
    ],
    response: { status: 200 },
  }
}

function header(headers, name) {
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
