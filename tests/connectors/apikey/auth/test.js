export default async function test({ apiClient }) {
  const response = await apiClient.get("/api/key-header");
  return response.ok === true;
}
