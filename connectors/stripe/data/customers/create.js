// POST /v1/customers, form-encoded the way Stripe expects nested values:
// address[line1]=...&metadata[crm_id]=...
// With an Idempotency-Key, as Stripe advises for every create: if the request is sent again
// (a retry after a lost response), Stripe answers with the first result instead of creating a
// second customer.
const crypto = require('crypto')

exports.create = async function create({ apiClient, fields }) {
  const customer = await apiClient.post('/customers', toForm(pickWritable(fields)), {
    headers: { 'Idempotency-Key': crypto.randomUUID() },
  })
  return { id: customer.id }
}

function pickWritable(fields = {}) {
  const out = {}
  for (const key of ['email', 'name', 'phone', 'description', 'address', 'metadata']) {
    if (fields[key] !== undefined && fields[key] !== null) out[key] = fields[key]
  }
  return out
}

function toForm(value) {
  const form = new URLSearchParams()
  const add = (prefix, v) => {
    if (v === undefined || v === null) return
    if (Array.isArray(v)) v.forEach((item, i) => add(`${prefix}[${i}]`, item))
    else if (typeof v === 'object') Object.entries(v).forEach(([k, item]) => add(prefix ? `${prefix}[${k}]` : k, item))
    else form.append(prefix, String(v))
  }
  add('', value)
  return form
}
