import crypto from "crypto";

export default async function handle({ headers, rawBody, data, state, query }) {
  const expected = "sha256=" + crypto.createHmac("sha256", state.secret).update(rawBody).digest("hex");
  if (headers["x-crm-signature"] !== expected) {
    return { events: [], response: { status: 401, data: { error: "invalid signature" } } };
  }
  return {
    events: data.events.filter((e) => e.type === "created").map((e) => ({ contactId: e.record.id, email: e.record.email, via: query.via })),
    state: { ...state, lastDelivery: data.events.length },
  };
}
