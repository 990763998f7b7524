export default async function refreshCredentials({ connectorParameters, credentials, apiClient }) {
  const res = await fetch(connectorParameters.baseUri + "/oauth2/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: credentials.refresh,
      client_id: connectorParameters.clientId,
      client_secret: connectorParameters.clientSecret,
    }).toString(),
  });
  if (!res.ok) throw new Error("refresh failed with " + res.status);
  const data = await res.json();
  console.log("refreshed; had apiClient:", apiClient !== undefined);
  // only the changed keys: the runtime merges them into the credentials
  return { token: data.access_token, refresh: data.refresh_token, refreshedAt: "now" };
}
