export default async function run({ apiClient, input }) {
  const created = await apiClient.post("/crm/contacts", { email: input.email, first_name: input.firstName });
  return { contactId: created.id };
}
