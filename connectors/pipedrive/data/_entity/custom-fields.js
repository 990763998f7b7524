// Custom fields come from the entity's field definitions (GET /personFields, /dealFields, ...):
// the ones a company added have a 40-character hex key. Each becomes a JSON-schema property
// keyed by that hash, which is also the key of its value on the records and in writes.
const HASH_KEY = /^[0-9a-f]{40}$/

export default async function customFields({ apiClient, parameters }) {
  const properties = {}
  for (const field of await allFields(apiClient, parameters.fieldsPath)) {
    if (!HASH_KEY.test(field.key)) continue
    properties[field.key] = toSchema(field)
    if (field.field_type === 'monetary') {
      properties[`${field.key}_currency`] = { type: 'string', title: `${field.name} (currency)` }
    }
    if (field.field_type === 'daterange' || field.field_type === 'timerange') {
      properties[`${field.key}_until`] = { ...toSchema(field), title: `${field.name} (until)` }
    }
  }
  console.log(`${Object.keys(properties).length} custom field properties from /${parameters.fieldsPath}`)
  return { type: 'object', properties }
}

// The field list pages like every v1 list (start / limit, next_start while
// more_items_in_collection); a company with many custom fields needs more than one page.
async function allFields(apiClient, path) {
  const fields = []
  let start = 0
  for (;;) {
    const response = await apiClient.get(`/${path}`, { start, limit: 500 })
    fields.push(...(response.data || []))
    const pagination = (response.additional_data || {}).pagination || {}
    if (!pagination.more_items_in_collection || pagination.next_start === undefined) return fields
    start = pagination.next_start
  }
}

function toSchema(field) {
  const schema = { title: field.name }
  const options = (field.options || []).map((o) => ({ id: String(o.id), name: o.label }))
  switch (field.field_type) {
    case 'double':
    case 'monetary':
      return { ...schema, type: 'number' }
    case 'int':
      return { ...schema, type: 'integer' }
    case 'date':
    case 'daterange':
      return { ...schema, type: 'string', format: 'date' }
    case 'time':
    case 'timerange':
      return { ...schema, type: 'string', format: 'time' }
    case 'enum':
      return { ...schema, type: 'string', referenceRecords: options }
    case 'set':
      // v1 stores a set as the chosen option ids joined with commas
      return { ...schema, type: 'string', referenceRecords: options, description: 'Comma-separated option ids' }
    case 'user':
      return { ...schema, type: 'integer', description: 'Pipedrive user id' }
    case 'org':
      return { ...schema, type: 'integer', referenceCollection: { key: 'organizations' } }
    case 'people':
      return { ...schema, type: 'integer', referenceCollection: { key: 'persons' } }
    default: // varchar, varchar_auto, text, phone, address
      return { ...schema, type: 'string' }
  }
}
