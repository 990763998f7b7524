export default async function handle({ data, query }) {
  if (query.challenge) return { events: [], response: { status: 200, data: query.challenge } };
  return {
    events: data.messages.map((m) => ({ selector: m.teamId, payload: m })),
    response: { status: 200, data: { accepted: data.messages.length } },
  };
}
