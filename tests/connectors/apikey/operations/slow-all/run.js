export default async function run({ apiClient, input }) {
  const n = (input && input.count) || 10;
  const ms = (input && input.ms) || 50;
  const calls = [];
  for (let i = 0; i < n; i++) calls.push(apiClient.get("/slow", { ms: ms }));
  const results = await Promise.all(calls);
  return { count: results.length, slept: results.map((r) => r.sleptMs) };
}
