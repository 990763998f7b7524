export default async function update({ apiClient, id, fields }) {
  await apiClient.patch(`/crm/contacts/${id}`, fields);
  return {};
}
