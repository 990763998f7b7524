// GET /v1/balance works with any secret key and changes nothing.
module.exports = async function test({ apiClient }) {
  const balance = await apiClient.get('/balance')
  return balance && balance.object === 'balance'
}
