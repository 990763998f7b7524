export default async function create({ apiClient, fields }) {
  const created = await apiClient.post("/crm/contacts", fields);
  console.log("created contact", created.id);
  return { id: created.id };
}
