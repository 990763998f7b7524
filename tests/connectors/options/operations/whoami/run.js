export default async function run({ apiClient, input }) {
  return await apiClient.get(input.path);
}
