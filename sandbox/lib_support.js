// Lazily evaluated part of the prelude ("support"): console formatting and the description of
// thrown values for the Python side; loaded by the first console call with objects, or an error.
(function (I) {
  "use strict";
  const G = globalThis;
  const { JSONstringify, JSONparse, ObjectKeys, ArrayIsArray, INTERNAL } = I;
  function inspect(v, depth, seen) {
    if (typeof v === "string") return depth === 0 ? v : JSONstringify(v);
    if (v === undefined) return "undefined";
    if (v === null || typeof v === "number" || typeof v === "boolean") return String(v);
    if (typeof v === "bigint") return String(v) + "n";
    if (typeof v === "symbol") return v.toString();
    if (typeof v === "function") return `[Function: ${v.name || "(anonymous)"}]`;
    if (v instanceof Error) return v.stack ? `${v.name}: ${v.message}\n${v.stack}`.trimEnd() : `${v.name}: ${v.message}`;
    if (seen.includes(v)) return "[Circular]";
    if (v instanceof Date) return isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
    if (v instanceof RegExp) return String(v);
    if (depth > 3) return ArrayIsArray(v) ? "[Array]" : "[Object]";
    seen = seen.concat([v]);
    if (I.Buffer && v instanceof I.Buffer) return `<Buffer ${I.hexEncode(v.subarray(0, 50)).replace(/(..)(?!$)/g, "$1 ")}${v.length > 50 ? " ..." : ""}>`;
    if (ArrayIsArray(v)) {
      const items = v.slice(0, 100).map((x) => inspect(x, depth + 1, seen));
      if (v.length > 100) items.push(`... ${v.length - 100} more items`);
      return `[ ${items.join(", ")} ]`.replace("[  ]", "[]");
    }
    if (v instanceof Map) return `Map(${v.size}) { ${Array.from(v).map(([k, x]) => `${inspect(k, depth + 1, seen)} => ${inspect(x, depth + 1, seen)}`).join(", ")} }`;
    if (v instanceof Set) return `Set(${v.size}) { ${Array.from(v).map((x) => inspect(x, depth + 1, seen)).join(", ")} }`;
    let keys;
    try { keys = ObjectKeys(v); } catch (_) { return "[object]"; }
    const parts = keys.slice(0, 100).map((k) => {
      let x;
      try { x = v[k]; } catch (e) { x = "[Getter threw]"; }
      return `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSONstringify(k)}: ${inspect(x, depth + 1, seen)}`;
    });
    if (keys.length > 100) parts.push(`... ${keys.length - 100} more keys`);
    return parts.length ? `{ ${parts.join(", ")} }` : "{}";
  }
  function format(args) {
    let out = [];
    let i = 0;
    if (typeof args[0] === "string" && args.length > 1 && args[0].indexOf("%") >= 0) {
      i = 1;
      out.push(args[0].replace(/%[sdifjoO%]/g, (m) => {
        if (m === "%%") return "%";
        if (i >= args.length) return m;
        const a = args[i++];
        switch (m) {
          case "%s": return typeof a === "string" ? a : inspect(a, 1, []);
          case "%d": case "%i": return String(m === "%i" ? parseInt(a) : Number(a));
          case "%f": return String(parseFloat(a));
          case "%j": try { return JSONstringify(a); } catch (_) { return "[Circular]"; }
          default: return inspect(a, 1, []);
        }
      }));
    }
    for (; i < args.length; i++) out.push(inspect(args[i], 0, []));
    return out.join(" ");
  }
  function jsonSafe(v) {
    try { const s = JSONstringify(v); return s === undefined ? null : JSONparse(s); } catch (_) { return String(v); }
  }
  function describe(e) {
    const d = I.ObjectCreate(null); // no Object.prototype.toJSON of the connector's applies
    try {
      if (e !== null && (typeof e === "object" || typeof e === "function")) {
        let name, message, stack, key, data;
        try { name = e.name; } catch (_) {}
        try { message = e.message; } catch (_) {}
        try { stack = e.stack; } catch (_) {}
        try { key = e.key; } catch (_) {}
        try { data = e.data; } catch (_) {}
        const isError = e instanceof Error;
        if (isError || typeof message === "string") {
          d.name = typeof name === "string" ? name : "Error";
          d.message = typeof message === "string" ? message : String(message);
          if (typeof stack === "string") d.stack = stack;
          if (typeof key === "string" && key) d.key = key;
          if (data !== undefined) d.data = jsonSafe(data);
          if (isError && e[INTERNAL] === true) d.internal = true;
          return d;
        }
      }
      d.name = "NonErrorThrown";
      d.thrown = jsonSafe(e);
      let text;
      try { text = typeof e === "string" ? e : inspect(e, 1, []); } catch (_) { text = "[unprintable value]"; }
      d.message = text;
    } catch (err) {
      d.name = "Error"; d.message = "unprintable error";
    }
    return d;
  }
  function exportError(ex, exportName, fallback, internalError) {
    const isFn = (f) => typeof f === "function";
    const names = ex !== null && ex !== undefined && (typeof ex === "object" || isFn(ex)) ? ObjectKeys(ex) : [];
    const listed = names.join(", ") || "none";
    if (exportName !== null && exportName !== undefined) {
      return internalError("unknown_export", `the module has no exported function '${exportName}' (exports: ${listed})`, { exports: names });
    }
    const fns = names.filter((k) => isFn(ex[k]));
    return internalError("unknown_export",
      `cannot choose the function to call: no default export${fallback ? `, no export named '${fallback}'` : ""}, and ${fns.length ? `${fns.length} exported functions (${fns.join(", ")})` : "no exported function"} (exports: ${listed})`,
      { exports: names });
  }
  // Each log entry stringified from its two strings: no `toJSON` connector code put on
  // Array.prototype or Object.prototype can change what Python reads (logs exist only once
  // console, which lives here, was used).
  function logsJson() {
    const L = I.logs, n = L.length, join = I.join;
    const parts = [];
    for (let i = 0; i < n; i++) I.push(parts, join(["[", JSONstringify(L[i][0]), ",", JSONstringify(L[i][1]), "]"], ""));
    return join(["[", join(parts, ","), "]"], "");
  }
  // The export to call when the prelude's fast checks found none: a method of a default-export
  // object (like CommonJS `module.exports = { findById }`), else a typed error.
  function resolveExportMore(ex, d, exportName, fallback, internalError) {
    const isFn = (f) => typeof f === "function";
    const method = (k) => (d !== null && typeof d === "object" && k in d && isFn(d[k]) ? (...a) => d[k](...a) : null);
    if (exportName !== null && exportName !== undefined) {
      const m = method(exportName);
      if (m) return m;
    } else {
      if (fallback !== null && fallback !== undefined) {
        const m = method(fallback);
        if (m) return m;
      }
      const fns = ex && typeof ex === "object" ? ObjectKeys(ex).filter((k) => isFn(ex[k])) : [];
      if (fns.length === 1) return ex[fns[0]];
    }
    throw exportError(ex, exportName, fallback, internalError);
  }
  function classExportError(fn, exportName, internalError) {
    let src = "";
    try { src = Function.prototype.toString.call(fn); } catch (_) { return null; }
    if (!/^class[\s{]/.test(src)) return null;
    return internalError("unknown_export",
      `the ${exportName ? `export '${exportName}'` : "default export"} is a class, not a function: export a function (or an object whose method is called)`);
  }
  function utf8Length(str) {
    let n = 0;
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      if (c < 0x80) n += 1; else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; } else n += 3;
    }
    return n;
  }
  function logAt(level) {
    return function (...args) {
      const fatal = I.fatal();
      if (fatal) throw I.internalError(fatal.key, fatal.message);
      let message;
      if (args.length === 1 && typeof args[0] === "string") message = args[0];
      else try { message = format(args); } catch (e) { message = "[unprintable: " + (e && e.message) + "]"; }
      I.logBytes += utf8Length(message) + level.length;
      if (I.logBytes > I.logLimit) throw I.setFatal("logs_too_large", `log output exceeded ${I.logLimit} bytes`);
      I.push(I.logs, [level, message]);
    };
  }
  const console = {
    log: logAt("log"), info: logAt("info"), warn: logAt("warn"), error: logAt("error"), debug: logAt("debug"),
    trace: logAt("debug"),
    dir: (v) => logAt("log")(inspect(v, 1, [])),
    table: logAt("log"),
    assert: (cond, ...args) => { if (!cond) logAt("error")("Assertion failed" + (args.length ? ": " + format(args) : "")); },
    time() {}, timeEnd() {}, group() {}, groupEnd() {},
  };
  function moduleNotAllowed(name, modules) {
    const available = Array.from(modules.keys()).sort().join(", ");
    return I.internalError("module_not_allowed",
      `Cannot find module '${name}': it is not available in the sandbox (available: ${available})`, { module: String(name) });
  }
  Object.assign(I, { inspect, format, describe, exportError, resolveExportMore, logsJson, classExportError, console, moduleNotAllowed, utf8Length });
})
