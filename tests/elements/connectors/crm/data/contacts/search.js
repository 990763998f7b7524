export default async function search({ apiClient, query, cursor }) {
  const page = await apiClient.post("/crm/contacts/search", { q: query, cursor: cursor || null });
  return { records: page.data.map((c) => ({ id: c.id, fields: c })), cursor: page.next };
}
