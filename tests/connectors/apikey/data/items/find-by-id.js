// CommonJS style: the export named like the method key.
exports.findById = async function ({ apiClient, id }) {
  const echoed = await apiClient.get("/echo", { id: id, tag: ["a", "b"] });
  return { record: { id: String(id), name: "Item " + id, query: echoed.query } };
};
