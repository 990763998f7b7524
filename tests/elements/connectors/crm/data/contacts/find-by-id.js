export default async function findById({ apiClient, id }) {
  const c = await apiClient.get(`/crm/contacts/${encodeURIComponent(id)}`);
  return { record: { id: c.id, name: `${c.first_name} ${c.last_name}`, uri: `https://crm.example/c/${c.id}`, fields: c } };
}
