export default async function pull({ apiClient, state }) {
  const feed = await apiClient.get("/crm/companies/changes", { since: state.since });
  const events = feed.events
    .filter((e) => e.type === "created")
    .map((e) => ({ type: "created", record: { id: e.record.id, name: e.record.name, fields: e.record } }));
  return { events, state: { since: feed.last } };
}
