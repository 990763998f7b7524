export default async function create({ apiClient, fields }) {
  const echoed = await apiClient.post("/echo", fields, { headers: { "X-Trace": "create" } });
  return { id: "new-1", sent: echoed.json, contentType: echoed.headers["content-type"], trace: echoed.headers["x-trace"] };
}
