// Lazily evaluated part of the prelude ("fetch"): evaluated on first use, sharing
// internals through `I` (never reachable from connector code).
(function (I) {
  "use strict";
  const G = globalThis;
  const { JSONstringify, JSONparse, ObjectKeys, ObjectDefineProperty, ArrayIsArray } = I;
  const { utf8Encode, utf8Decode, toBytes } = I.load("encoding");
  const { URLSearchParams, URL } = I.load("url");
  // ---------------------------------------------------------------- fetch
  class Headers {
    constructor(init) {
      this._map = new Map();
      if (!init) return;
      if (init instanceof Headers) { for (const [k, v] of init._map) this._map.set(k, v); return; }
      if (typeof init[Symbol.iterator] === "function") { for (const [k, v] of init) this.append(k, v); return; }
      for (const k of ObjectKeys(init)) this.append(k, init[k]);
    }
    append(k, v) { k = String(k).toLowerCase(); v = String(v); this._map.set(k, this._map.has(k) ? this._map.get(k) + ", " + v : v); }
    set(k, v) { this._map.set(String(k).toLowerCase(), String(v)); }
    get(k) { const v = this._map.get(String(k).toLowerCase()); return v === undefined ? null : v; }
    has(k) { return this._map.has(String(k).toLowerCase()); }
    delete(k) { this._map.delete(String(k).toLowerCase()); }
    forEach(fn, thisArg) { for (const [k, v] of this._map) fn.call(thisArg, v, k, this); }
    *entries() { yield* this._map.entries(); }
    *keys() { yield* this._map.keys(); }
    *values() { yield* this._map.values(); }
    [Symbol.iterator]() { return this._map.entries(); }
    toJSON() { const o = {}; for (const [k, v] of this._map) o[k] = v; return o; }
  }
  class Response {
    constructor(body, init) {
      init = init || {};
      this._body = body === undefined || body === null ? "" : String(body);
      this.status = init.status === undefined ? 200 : init.status;
      this.statusText = init.statusText || "";
      this.headers = new Headers(init.headers);
      this.url = init.url || "";
      this.bodyUsed = false;
      this.redirected = false;
      this.type = "basic";
    }
    get ok() { return this.status >= 200 && this.status < 300; }
    _consume() { if (this.bodyUsed) return Promise.reject(new TypeError("Body has already been consumed")); this.bodyUsed = true; return Promise.resolve(this._body); }
    text() { return this._consume(); }
    json() { return this._consume().then((t) => JSONparse(t)); }
    arrayBuffer() { return this._consume().then((t) => { const b = utf8Encode(t); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); }); }
    clone() { return new Response(this._body, this); }
    static json(data, init) { const r = new Response(JSONstringify(data), init); if (!r.headers.has("content-type")) r.headers.set("content-type", "application/json"); return r; }
  }
  function bodyToString(body) {
    if (body === undefined || body === null) return null;
    if (typeof body === "string") return body;
    if (body instanceof URLSearchParams) return body.toString();
    if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return utf8Decode(toBytes(body));
    if (typeof body === "object") return JSONstringify(body);
    return String(body);
  }
  function fetch(input, init) {
    init = init || {};
    let url, method = "GET", headers = new Headers();
    if (input && typeof input === "object" && !(input instanceof URL) && input.url !== undefined) {
      url = String(input.url); method = input.method || method; headers = new Headers(input.headers);
    } else url = String(input);
    if (init.method) method = String(init.method).toUpperCase();
    if (init.headers) new Headers(init.headers).forEach((v, k) => headers.set(k, v));
    const body = bodyToString(init.body);
    if (body !== null && !headers.has("content-type")) {
      if (init.body instanceof URLSearchParams) headers.set("content-type", "application/x-www-form-urlencoded;charset=UTF-8");
      else if (typeof init.body === "string") headers.set("content-type", "text/plain;charset=UTF-8");
      else if (typeof init.body === "object" && !ArrayBuffer.isView(init.body) && !(init.body instanceof ArrayBuffer)) headers.set("content-type", "application/json");
    }
    return I.host("fetch", { url, method: method.toUpperCase(), headers: headers.toJSON(), body }).then((r) =>
      new Response(r.body, { status: r.status, statusText: r.statusText || "", headers: r.headers || {}, url }));
  }

  Object.assign(I, { Headers, Response, fetch });
})
