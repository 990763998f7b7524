// A routed payload becomes this connection's event.
export default async function handle({ data, connectionParameters }) {
  return { events: [{ text: data.text, team: connectionParameters.teamId }] };
}
