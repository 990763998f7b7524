export default async function list({ apiClient, cursor }) {
  const query = { limit: 2 };
  if (cursor) query.cursor = cursor;
  const page = await apiClient.get("/crm/contacts", query);
  const records = page.data.map((c) => ({
    id: c.id,
    name: [c.first_name, c.last_name].filter(Boolean).join(" "),
    createdTime: c.created_at,
    updatedTime: c.updated_at,
    fields: c,
  }));
  return { records, cursor: page.next || undefined };
}
