const axios = require("axios");

module.exports = async function run({ connectorParameters }) {
  try {
    await axios.get(connectorParameters.baseUri + "/status", { params: { code: 404 } });
    return { thrown: false };
  } catch (e) {
    return { thrown: true, isAxiosError: axios.isAxiosError(e), status: e.response.status, data: e.response.data, message: e.message };
  }
};
