export default async function run({ credentials, input }) {
  console.log("starting", { n: input.n });
  console.warn("the key is " + credentials.apiKey);
  return input.n * 2;
}
