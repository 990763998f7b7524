export default async function test({ apiClient }) {
  const me = await apiClient.get("/api/me");
  return !!me.id;
}
