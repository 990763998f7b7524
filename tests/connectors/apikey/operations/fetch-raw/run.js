export default async function run({ connectorParameters }) {
  const res = await fetch(connectorParameters.baseUri + "/echo?via=fetch", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Custom": "1" },
    body: JSON.stringify({ hello: "fetch" }),
  });
  const body = await res.json();
  return { status: res.status, ok: res.ok, json: body.json, apiKeyHeader: body.headers["x-api-key"] || null, custom: body.headers["x-custom"] };
}
