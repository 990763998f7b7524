export default async function run({ apiClient }) {
  return await apiClient.get("/api/key-header");
}
