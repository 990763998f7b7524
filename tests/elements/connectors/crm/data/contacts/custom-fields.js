export default async function customFields({ apiClient }) {
  const props = await apiClient.get("/crm/properties");
  return { type: "object", properties: props.properties };
}
