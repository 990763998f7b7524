export default async function run({ apiClient, input }) {
  return await apiClient.get("/status", { code: (input && input.code) || 404 });
}
