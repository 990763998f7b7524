// The JavaScript API connector code sees (ARCHITECTURE decision 2), evaluated once per context
// before any connector code. Everything here is plain JS: no Python object is reachable.
// The completion value of this script is the driver object the Python side holds on to; it is not
// reachable from connector code (only `__sandbox.host` and `__sandbox.defineModule` are global).
(function (libSupport, libEncoding, libClone, libUrl, libCrypto, libFetch, libLinesJson) {
  "use strict";
  const LIBS = { support: libSupport, encoding: libEncoding, clone: libClone, url: libUrl, crypto: libCrypto, fetch: libFetch };
  const LIB_LINES = JSON.parse(libLinesJson);
  const G = globalThis;
  // Built-ins captured before connector code can tamper with them.
  const JSONstringify = JSON.stringify;
  const JSONparse = JSON.parse;
  const DateNow = Date.now;
  const ObjectKeys = Object.keys;
  const ObjectDefineProperty = Object.defineProperty;
  const ArrayIsArray = Array.isArray;
  const INTERNAL = Symbol("sandbox.internal");
  const indirectEval = eval;
  // Internals shared with the lazily evaluated parts (lib_*.js), never reachable from connector code.
  const I = { JSONstringify, JSONparse, ObjectKeys, ObjectDefineProperty, ArrayIsArray, utf8Length, INTERNAL, seed: "" };
  const loaded = Object.create(null);
  I.load = function (name) {
    if (!loaded[name]) {
      const src = LIBS[name];
      if (typeof src !== "string") throw new Error(`sandbox: no library part '${name}'`);
      loaded[name] = true;
      // Each part sits below its own block of blank lines so stack frames map back to it.
      indirectEval("\n".repeat(LIB_LINES[name]) + src)(I);
    }
    return I;
  };
  function utf8Length(str) {
    let n = 0;
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      if (c < 0x80) n += 1; else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; } else n += 3;
    }
    return n;
  }

  // ---------------------------------------------------------------- state of this call
  let hostLimit = 1000, hostCount = 0, nextRequestId = 1;
  let logLimit = 1 << 20, logBytes = 0;
  let resultLimit = 16 << 20;
  const pending = new Map();
  let requests = [];
  let logs = [];
  let fatal = null; // a sticky limit error: set once, reported even if the code catches it
  let state = 0, outcome; // 0 pending, 1 fulfilled, 2 rejected
  let uncaught = null; // an error thrown by a timer callback

  function internalError(key, message, data) {
    const e = new Error(message);
    e.key = key;
    if (data !== undefined) e.data = data;
    e[INTERNAL] = true;
    return e;
  }
  function setFatal(key, message) {
    if (!fatal) fatal = { key, message };
    return internalError(key, message);
  }

  // ---------------------------------------------------------------- host operations
  I.host = host;
  function host(name, payload) {
    if (typeof name !== "string") throw new TypeError("host operation name must be a string");
    if (fatal) return Promise.reject(internalError(fatal.key, fatal.message));
    if (++hostCount > hostLimit) {
      return Promise.reject(setFatal("too_many_host_operations",
        `more than ${hostLimit} host operations in one call`));
    }
    let json;
    try {
      json = payload === undefined ? "null" : JSONstringify(payload);
    } catch (e) {
      return Promise.reject(new TypeError(`host operation '${name}': payload is not JSON-serialisable: ${e && e.message}`));
    }
    if (json === undefined) json = "null";
    const id = nextRequestId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      requests.push("[" + id + "," + JSONstringify(name) + "," + json + "]");
    });
  }

  function makeHostError(v) {
    const e = new Error(v && typeof v.message === "string" ? v.message : "host operation failed");
    if (v && v.key != null) e.key = v.key;
    if (v && v.data !== undefined && v.data !== null) e.data = v.data;
    return e;
  }

  // ---------------------------------------------------------------- timers (driven by Python)
  const timers = new Map();
  let timerSeq = 1;
  function addTimer(fn, ms, args, repeat) {
    if (typeof fn !== "function") throw new TypeError("timer callback must be a function");
    let delay = Number(ms);
    if (!(delay >= 0)) delay = 0;
    const id = timerSeq++;
    timers.set(id, { fn, args, due: DateNow() + delay, every: repeat ? Math.max(delay, 1) : 0 });
    return id;
  }
  function setTimeout(fn, ms, ...args) { return addTimer(fn, ms, args, false); }
  I.setTimeout = setTimeout;
  function setInterval(fn, ms, ...args) { return addTimer(fn, ms, args, true); }
  function clearTimeout(id) { timers.delete(Number(id)); }
  function nextTimerDelay() {
    let min = Infinity;
    for (const t of timers.values()) if (t.due < min) min = t.due;
    return min === Infinity ? -1 : Math.max(0, min - DateNow());
  }
  function runTimers() {
    const now = DateNow();
    const due = [];
    for (const [id, t] of timers) if (t.due <= now) due.push([id, t]);
    due.sort((a, b) => a[1].due - b[1].due || a[0] - b[0]);
    for (const [id, t] of due) {
      if (!timers.has(id)) continue; // cleared by an earlier callback
      if (t.every) t.due = now + t.every; else timers.delete(id);
      try {
        t.fn(...t.args);
      } catch (e) {
        if (uncaught === null) uncaught = e;
      }
    }
  }

  // ---------------------------------------------------------------- console
  function logAt(level) {
    return function (...args) {
      if (fatal) throw internalError(fatal.key, fatal.message);
      let message;
      if (args.length === 1 && typeof args[0] === "string") message = args[0];
      else try { message = I.load("support").format(args); } catch (e) { message = "[unprintable: " + (e && e.message) + "]"; }
      logBytes += utf8Length(message) + level.length;
      if (logBytes > logLimit) throw setFatal("logs_too_large", `log output exceeded ${logLimit} bytes`);
      logs.push([level, message]);
    };
  }
  const console = {
    log: logAt("log"), info: logAt("info"), warn: logAt("warn"), error: logAt("error"), debug: logAt("debug"),
    trace: logAt("debug"),
    dir: (v) => logAt("log")(I.load("support").inspect(v, 1, [])),
    table: logAt("log"),
    assert: (cond, ...args) => { if (!cond) logAt("error")("Assertion failed" + (args.length ? ": " + I.load("support").format(args) : "")); },
    time() {}, timeEnd() {}, group() {}, groupEnd() {},
  };

  // ---------------------------------------------------------------- modules
  const modules = new Map();
  function defineModule(name, exportsObject) {
    if (typeof name !== "string" || !name) throw new TypeError("defineModule: name must be a non-empty string");
    modules.set(name, exportsObject);
  }
  function moduleNotAllowed(name) {
    const available = Array.from(modules.keys()).sort().join(", ");
    return internalError("module_not_allowed",
      `Cannot find module '${name}': it is not available in the sandbox (available: ${available})`, { module: String(name) });
  }
  function require(name, asDefault) {
    let n = String(name);
    if (n.startsWith("node:")) n = n.slice(5);
    if (!modules.has(n)) throw moduleNotAllowed(name);
    let m = modules.get(n);
    if (m === lazyModules) { m = lazyModules[n](); modules.set(n, m); }
    if (asDefault === 1) return m !== null && m !== undefined && m.default !== undefined ? m.default : m;
    return m;
  }
  function dynamicImport(name) {
    try {
      const m = require(name);
      const ns = Object.assign(Object.create(null), m);
      if (!("default" in ns)) ns.default = m;
      return Promise.resolve(ns);
    } catch (e) {
      return Promise.reject(e);
    }
  }
  require.__export = function (target, getters) {
    for (const k of ObjectKeys(getters)) ObjectDefineProperty(target, k, { get: getters[k], enumerable: true, configurable: true });
  };
  require.__reexport = function (target, source) {
    for (const k of ObjectKeys(source)) if (k !== "default" && !(k in target)) ObjectDefineProperty(target, k, { get: () => source[k], enumerable: true, configurable: true });
  };
  // Built-in modules are made on first require (their code is evaluated then).
  const lazyModules = {
    crypto: () => I.load("crypto").cryptoModule,
    buffer: () => ({ Buffer: I.load("encoding").Buffer }),
    url: () => { const u = I.load("url"); return { URL: u.URL, URLSearchParams: u.URLSearchParams }; },
    querystring: () => I.load("url").querystring,
  };
  for (const name of ObjectKeys(lazyModules)) modules.set(name, lazyModules);

  // ---------------------------------------------------------------- globals
  const define = (name, value) => ObjectDefineProperty(G, name, { value, writable: true, configurable: true, enumerable: false });
  define("console", console);
  define("setTimeout", setTimeout);
  define("setInterval", setInterval);
  define("clearTimeout", clearTimeout);
  define("clearInterval", clearTimeout);
  define("setImmediate", (fn, ...args) => setTimeout(fn, 0, ...args));
  define("clearImmediate", clearTimeout);
  // Globals whose code is large are defined on first access: parsing is most of the cost of a
  // fresh context, and most calls never touch them.
  const lazyGlobal = (name, part, pick) => ObjectDefineProperty(G, name, {
    configurable: true, enumerable: false,
    get() { const v = pick(I.load(part)); define(name, v); return v; },
    set(v) { define(name, v); },
  });
  lazyGlobal("URL", "url", (x) => x.URL);
  lazyGlobal("URLSearchParams", "url", (x) => x.URLSearchParams);
  lazyGlobal("TextEncoder", "encoding", (x) => x.TextEncoder);
  lazyGlobal("TextDecoder", "encoding", (x) => x.TextDecoder);
  lazyGlobal("Buffer", "encoding", (x) => x.Buffer);
  lazyGlobal("structuredClone", "clone", (x) => x.structuredClone);
  lazyGlobal("crypto", "crypto", (x) => Object.assign({}, x.cryptoModule));
  lazyGlobal("fetch", "fetch", (x) => x.fetch);
  lazyGlobal("Headers", "fetch", (x) => x.Headers);
  lazyGlobal("Response", "fetch", (x) => x.Response);
  define("require", require);
  define("__sandbox", Object.freeze({ host, defineModule }));

  // ---------------------------------------------------------------- results and errors out
  function checkValue(key, v) {
    const t = typeof v;
    if (t === "function" || t === "symbol") throw internalError("invalid_result", `result contains a ${t}${key ? ` at key '${key}'` : ""}`);
    if (t === "bigint") throw internalError("invalid_result", `result contains a BigInt${key ? ` at key '${key}'` : ""}`);
    return v;
  }
  const api = {
    init(seedHex, limitsJson) {
      I.seed = seedHex;
      const l = JSONparse(limitsJson);
      hostLimit = l.host_operations; logLimit = l.log_bytes; resultLimit = l.result_bytes;
    },
    start(modfn, argsJson, exportName, fallback, wrapperName, esm) {
      const module = { exports: {} };
      const run = async () => {
        await modfn.call(module.exports, module.exports, module, require, dynamicImport);
        const fn = resolveExport(module.exports, exportName, fallback, esm);
        const args = JSONparse(argsJson);
        if (wrapperName) {
          const w = G[wrapperName];
          if (typeof w !== "function") throw internalError("unknown_export", `wrapper '${wrapperName}' is not a global function (extensions define it)`);
          return await w(fn, ...args);
        }
        return await fn(...args);
      };
      run().then((v) => { state = 1; outcome = v; }, (e) => { state = 2; outcome = e; });
    },
    poll() {
      if (fatal) return "[3]";
      if (uncaught !== null) { state = 2; outcome = uncaught; uncaught = null; }
      if (state !== 0) return "[" + state + "]";
      const r = requests.length ? "[" + requests.join(",") + "]" : "[]";
      requests = [];
      return "[0," + r + "," + nextTimerDelay() + "]";
    },
    settle(id, ok, json) {
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      const v = JSONparse(json);
      if (ok) p.resolve(v); else p.reject(makeHostError(v));
    },
    runTimers,
    result() {
      // Errors come back as "!" + description: JSON text never starts with "!".
      const v = outcome;
      if (v === undefined) return "null";
      let s;
      try {
        s = typeof v === "object" && v !== null ? JSONstringify(v, checkValue) : JSONstringify(checkValue("", v));
      } catch (e) {
        const err = e && e[INTERNAL] ? e : internalError("invalid_result", `result is not JSON-serialisable: ${e && e.message}`);
        return "!" + JSONstringify(I.load("support").describe(err));
      }
      if (s === undefined) return "null";
      if (s.length > resultLimit) return "!" + JSONstringify(I.load("support").describe(internalError("result_too_large", `result is larger than ${resultLimit} bytes`)));
      return s;
    },
    error() { return JSONstringify(I.load("support").describe(outcome)); },
    fatal() { return JSONstringify(fatal); },
    logs() { const s = JSONstringify(logs); return s; },
  };
  // The Python side holds this one function; connector code cannot reach it.
  return function driver(op, a, b, c, d, e, f) { return api[op](a, b, c, d, e, f); };

  function resolveExport(ex, exportName, fallback, esm) {
    const isFn = (f) => typeof f === "function";
    const has = (k) => ex !== null && ex !== undefined && (typeof ex === "object" || isFn(ex)) && k in ex;
    const listing = () => (ex !== null && ex !== undefined && (typeof ex === "object" || isFn(ex)) ? ObjectKeys(ex) : []);
    if (exportName !== null && exportName !== undefined) {
      if (has(exportName) && isFn(ex[exportName])) return ex[exportName];
      if (exportName === "default" && isFn(ex)) return ex;
      const names = listing();
      throw internalError("unknown_export", `the module has no exported function '${exportName}' (exports: ${names.join(", ") || "none"})`, { exports: names });
    }
    if (isFn(ex)) return ex;
    if (has("default") && isFn(ex.default)) return ex.default;
    if (fallback !== null && fallback !== undefined && has(fallback) && isFn(ex[fallback])) return ex[fallback];
    const fns = listing().filter((k) => isFn(ex[k]));
    if (fns.length === 1) return ex[fns[0]];
    const names = listing();
    throw internalError("unknown_export",
      `cannot choose the function to call: no default export${fallback ? `, no export named '${fallback}'` : ""}, and ${fns.length ? `${fns.length} exported functions (${fns.join(", ")})` : "no exported function"} (exports: ${names.join(", ") || "none"})`,
      { exports: names });
  }
})
