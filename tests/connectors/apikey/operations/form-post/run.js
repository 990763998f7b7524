export default async function run({ apiClient }) {
  const form = await apiClient.post("/echo", new URLSearchParams({ a: "1 2", b: "x&y" }));
  const text = await apiClient.put("/echo", "plain body", { headers: { "Content-Type": "text/plain" } });
  const del = await apiClient.delete("/echo");
  return { form: form.form, formType: form.headers["content-type"], text: text.body, textType: text.headers["content-type"], del: del.method };
}
