export default async function run(ctx) {
  await ctx.apiClient.get("/api/key-header");
  return { ctx: JSON.stringify(ctx), keys: Object.keys(ctx).sort() };
}
