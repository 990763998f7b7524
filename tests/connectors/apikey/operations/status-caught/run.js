export default async function run({ apiClient, input }) {
  try {
    await apiClient.get("/status", { code: input.code });
    return { caught: false };
  } catch (e) {
    return { caught: true, isError: e instanceof Error, key: e.key, message: e.message, status: e.data && e.data.status };
  }
}
