export default function getCredentials({ tokenResponse }) {
  return {
    token: tokenResponse.access_token,
    refresh: tokenResponse.refresh_token,
    custom: true,
    sawCredentials: tokenResponse.sawCredentials,
    sawApiClient: tokenResponse.sawApiClient,
  };
}
