exports.makeApiClient = function ({ connectorParameters, credentials }) {
  return {
    baseUri: connectorParameters.baseUri,
    headers: { Authorization: "Bearer " + credentials.token },
  };
};
