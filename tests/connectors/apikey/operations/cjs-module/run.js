module.exports = async function (ctx) {
  const me = await ctx.apiClient.get("/api/key-header", undefined, { returnFullResponse: true });
  return { statusCode: me.statusCode, data: me.data, hasHeaders: typeof me.headers === "object" };
};
