// After the code exchange, find which organisation the user just connected: Xero lists the
// app's connections at GET https://api.xero.com/connections, and the access token (a JWT)
// carries the authentication_event_id of this sign-in, which those connections echo as
// authEventId. The chosen tenant id goes into the credentials beside the tokens.
exports.getCredentialsFromAccessTokenResponse = async function ({ tokenResponse }) {
  const response = await fetch('https://api.xero.com/connections', {
    headers: { Authorization: `Bearer ${tokenResponse.access_token}`, Accept: 'application/json' },
  })
  if (!response.ok) throw new Error(`Xero /connections answered ${response.status}`)
  const connections = await response.json()

  const authEventId = jwtClaim(tokenResponse.access_token, 'authentication_event_id')
  const organisations = connections.filter((c) => c.tenantType === 'ORGANISATION')
  const chosen = organisations.find((c) => authEventId && c.authEventId === authEventId) || organisations[0]
  if (!chosen) throw new Error('The Xero user did not connect any organisation')

  return {
    access_token: tokenResponse.access_token,
    refresh_token: tokenResponse.refresh_token,
    token_type: tokenResponse.token_type,
    expires_in: tokenResponse.expires_in,
    // The runtime turns expires_in into expires_at only for the token response it builds
    // itself; credentials built here carry their own absolute expiry, so the runtime can
    // refresh the 30-minute access token before it runs out instead of after a 401.
    expires_at: expiresAt(tokenResponse.expires_in),
    scope: tokenResponse.scope,
    tenantId: chosen.tenantId,
    tenantName: chosen.tenantName,
  }
}

function expiresAt(expiresIn) {
  const seconds = Number(expiresIn)
  return Number.isFinite(seconds) && seconds > 0 ? new Date(Date.now() + seconds * 1000).toISOString() : undefined
}

function jwtClaim(token, claim) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')
    return JSON.parse(atob(payload + '='.repeat((4 - (payload.length % 4)) % 4)))[claim]
  } catch (error) {
    return undefined
  }
}
