// CommonJS style, reading the older `fields` input name.
exports.match = async function ({ apiClient, fields }) {
  const page = await apiClient.get("/crm/contacts/match", { email: fields.email });
  const c = page.data[0];
  return c ? { record: { id: c.id, fields: c } } : {};
};
