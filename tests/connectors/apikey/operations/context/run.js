export default function run(ctx) {
  return {
    keys: Object.keys(ctx).sort(),
    apiClientMethods: Object.keys(ctx.apiClient).sort(),
    input: ctx.input,
    connectionParameterKeys: Object.keys(ctx.connectionParameters).sort(),
    credentialKeys: Object.keys(ctx.credentials || {}).sort(),
  };
}
