// revoke on removal (the fake API's /echo stands in for a revocation endpoint)
export default async function disconnect({ apiClient, credentials }) {
  await apiClient.post("/echo", { revoke: credentials.refresh_token ? "refresh" : "none" });
}
