// Development-time oracle: evaluates mappings with the platform's own engine (npm @membranehq/sdk, MIT).
// NOT run by pytest/CI. Usage: node reference.js < cases.json > results.json
//   input:  [{"mapping": ..., "variables": ...}, ...]
//   output: [{"value": ...} | {"undefined": true} | {"error": "..."}, ...]
// Install the engine once: mkdir -p /tmp/ref-sdk && cd /tmp/ref-sdk && npm install @membranehq/sdk
// (or point REF_SDK at another install).
process.env.TZ = 'UTC';
const sdkPath = process.env.REF_SDK || '/tmp/ref-sdk/node_modules/@membranehq/sdk';
const sdk = require(sdkPath);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = input.map(({ mapping, variables }) => {
  try {
    // buildData = buildValue + the $copy post-pass, which compile_mapping also applies
    const value = sdk.buildData(mapping, variables);
    if (value === undefined) return { undefined: true };
    if (typeof value === 'number' && !isFinite(value)) return { nonfinite: String(value) };
    return { value };
  } catch (e) {
    return { error: String(e && e.message || e) };
  }
});
process.stdout.write(JSON.stringify(out));
