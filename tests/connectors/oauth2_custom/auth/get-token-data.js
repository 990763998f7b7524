import axios from "axios";

export default async function getTokenData({ connectorParameters, queryParameters, redirectUri, codeVerifier, credentials, apiClient }) {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code: queryParameters.code,
    redirect_uri: redirectUri,
    client_id: connectorParameters.clientId,
    client_secret: connectorParameters.clientSecret,
  });
  const response = await axios.post(connectorParameters.baseUri + "/oauth2/token", body);
  return { ...response.data, sawCredentials: credentials !== undefined, sawApiClient: apiClient !== undefined, sawVerifier: codeVerifier !== undefined && codeVerifier !== null };
}
