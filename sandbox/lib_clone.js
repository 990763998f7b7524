// Lazily evaluated part of the prelude ("clone"): evaluated on first use, sharing
// internals through `I` (never reachable from connector code).
(function (I) {
  "use strict";
  const G = globalThis;
  const { JSONstringify, JSONparse, ObjectKeys, ObjectDefineProperty, ArrayIsArray } = I;
  const { Buffer } = I.load("encoding");
  // ---------------------------------------------------------------- structuredClone
  function structuredClone(value) {
    const seen = new Map();
    function clone(v) {
      if (v === null || typeof v !== "object") {
        if (typeof v === "function" || typeof v === "symbol") throw new DOMException(`${String(typeof v === "function" ? "function" : "symbol")} could not be cloned.`, "DataCloneError");
        return v;
      }
      if (seen.has(v)) return seen.get(v);
      let out;
      if (ArrayIsArray(v)) { out = []; seen.set(v, out); for (let i = 0; i < v.length; i++) out[i] = clone(v[i]); return out; }
      if (v instanceof Date) { out = new Date(v.getTime()); seen.set(v, out); return out; }
      if (v instanceof RegExp) { out = new RegExp(v.source, v.flags); seen.set(v, out); return out; }
      if (v instanceof Map) { out = new Map(); seen.set(v, out); for (const [k, x] of v) out.set(clone(k), clone(x)); return out; }
      if (v instanceof Set) { out = new Set(); seen.set(v, out); for (const x of v) out.add(clone(x)); return out; }
      if (v instanceof ArrayBuffer) { out = v.slice(0); seen.set(v, out); return out; }
      if (ArrayBuffer.isView(v)) { const C = v instanceof Buffer ? Uint8Array : v.constructor; out = new C(v); seen.set(v, out); return out; }
      if (v instanceof Error) { out = new (G[v.name] || Error)(v.message); seen.set(v, out); if (v.stack) out.stack = v.stack; return out; }
      out = {};
      seen.set(v, out);
      for (const k of ObjectKeys(v)) out[k] = clone(v[k]);
      return out;
    }
    return clone(value);
  }

  Object.assign(I, { structuredClone });
})
