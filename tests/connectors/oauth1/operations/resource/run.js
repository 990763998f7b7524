export default async function run({ apiClient }) {
  const got = await apiClient.get("/oauth1/resource", { q: "a b", n: 1 });
  const posted = await apiClient.post("/oauth1/resource", new URLSearchParams({ status: "hello world" }));
  return { get: got, post: posted };
}
