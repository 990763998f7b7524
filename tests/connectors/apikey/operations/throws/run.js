export default async function run({ credentials }) {
  // the message carries the secret on purpose: the runtime must redact it
  throw new Error("cannot use key " + credentials.apiKey + " here");
}
