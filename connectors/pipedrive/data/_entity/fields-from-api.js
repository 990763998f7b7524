// Pipedrive's v1 answers reference fields as objects: a person's org_id is
// {name, people_count, ..., value: 4}, owner_id / user_id / creator_user_id are
// {id, name, email, ..., value: 9110372}, and custom fields of type org / people / user look
// the same. The fields schema (and create / update) use the plain id, so every such object
// becomes its `value`. Everything else (email / phone lists, custom field hashes, dates) is
// kept as it is; the runtime keeps the original object as rawFields.
export default function fieldsFromApi({ fields = {} }) {
  const out = {}
  for (const [key, value] of Object.entries(fields)) {
    out[key] = isReference(value) ? value.value : value
  }
  return out
}

function isReference(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    'value' in value &&
    (typeof value.value === 'number' || typeof value.value === 'string')
  )
}
