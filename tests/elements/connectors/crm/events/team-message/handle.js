// A routed payload becomes this connection's event; the state counts what was received.
export default async function handle({ data, state, connectionParameters }) {
  const received = ((state && state.received) || 0) + 1;
  return { events: [{ text: data.text, team: connectionParameters.teamId }], state: { received } };
}
