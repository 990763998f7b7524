// A bundled example method: `connector-runtime js examples/hello.js --input '{"name": "Ada"}'`
import crypto from "crypto";

export default async function hello(ctx) {
  const name = (ctx && ctx.name) || "world";
  console.log("greeting", name);
  await new Promise((resolve) => setTimeout(resolve, 1));
  return {
    greeting: `Hello, ${name}!`,
    sha256: crypto.createHash("sha256").update(name).digest("hex"),
    query: new URLSearchParams({ q: name, page: 1 }).toString(),
  };
}
