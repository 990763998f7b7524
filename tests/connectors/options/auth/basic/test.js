export default async function test({ apiClient }) {
  const r = await apiClient.get("/api/basic");
  return r.ok;
}
