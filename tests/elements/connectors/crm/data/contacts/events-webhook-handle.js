import crypto from "crypto";

export default async function handle({ headers, rawBody, data, state }) {
  const expected = "sha256=" + crypto.createHmac("sha256", state.secret).update(rawBody).digest("hex");
  const given = headers["x-crm-signature"] || "";
  if (given.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
    console.warn("rejected a webhook call with a bad signature");
    return { events: [], response: { status: 401, data: { error: "invalid signature" } } };
  }
  const events = data.events.map((e) => ({
    type: e.type,
    record: { id: e.record.id, name: `${e.record.first_name} ${e.record.last_name}`, fields: e.record },
  }));
  return {
    events,
    response: { status: 200, data: { received: events.length } },
    state: { ...state, delivered: (state.delivered || 0) + events.length },
  };
}
