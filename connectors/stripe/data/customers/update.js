// POST /v1/customers/{id}: Stripe updates with POST; only the fields given are changed.
// An empty string unsets a field, so null is sent as ''.
exports.update = async function update({ apiClient, id, fields = {} }) {
  const form = new URLSearchParams()
  const add = (prefix, v) => {
    if (v === undefined) return
    if (v === null) form.append(prefix, '')
    else if (Array.isArray(v)) v.forEach((item, i) => add(`${prefix}[${i}]`, item))
    else if (typeof v === 'object') Object.entries(v).forEach(([k, item]) => add(`${prefix}[${k}]`, item))
    else form.append(prefix, String(v))
  }
  for (const key of ['email', 'name', 'phone', 'description', 'address', 'metadata']) add(key, fields[key])
  const customer = await apiClient.post(`/customers/${encodeURIComponent(id)}`, form)
  return { id: customer.id }
}
