import axios from "axios";

export default async function run({ connectorParameters }) {
  const client = axios.create({ baseURL: connectorParameters.baseUri, headers: { "X-From": "axios" } });
  const got = await client.get("/echo", { params: { a: 1, list: [1, 2] } });
  const posted = await axios.post(connectorParameters.baseUri + "/echo", { b: 2 });
  const form = await axios.post(connectorParameters.baseUri + "/echo", new URLSearchParams({ grant_type: "x", c: "3" }));
  const called = await axios({ url: "/echo", baseURL: connectorParameters.baseUri, method: "put", data: "raw text" });
  return {
    status: got.status,
    query: got.data.query,
    fromHeader: got.data.headers["x-from"],
    contentType: got.headers["content-type"],
    postedJson: posted.data.json,
    form: form.data.form,
    putMethod: called.data.method,
    putBody: called.data.body,
  };
}
