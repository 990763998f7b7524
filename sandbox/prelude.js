// The JavaScript API connector code sees (ARCHITECTURE decision 2), evaluated once per context
// before any connector code. Everything here is plain JS: no Python object is reachable.
// The completion value of this script is the driver object the Python side holds on to; it is not
// reachable from connector code (only `__sandbox.host` and `__sandbox.defineModule` are global).
// `sources`: the lazily evaluated library parts (lib_*.js) and the embedder's lazy modules, one
// after another in one string (one string to make per context, not one per part); `libJson`
// maps each part to [blank lines to put before it, start, end] in `sources`, `lazyJson` lists
// the lazy modules as [name, blank lines, start, end].
(function (sources, libJson, lazyJson) {
  "use strict";
  let LIB = null; // parsed on the first load: most calls load nothing
  const G = globalThis;
  delete G.__sb_boot; // left there by the bytecode loader
  // Built-ins captured before connector code can tamper with them: everything the driver uses
  // to talk to Python (poll strings, logs, results) goes through these, so a patched
  // `Array.prototype.join` or `JSON.stringify` cannot forge what Python reads. Python checks
  // the limits and the shape of every poll again itself (sandbox/_sandbox.py).
  const JSONstringify = JSON.stringify;
  const JSONparse = JSON.parse;
  const DateNow = Date.now;
  const ObjectKeys = Object.keys;
  const ObjectDefineProperty = Object.defineProperty;
  const ArrayIsArray = Array.isArray;
  // (Only what builds the answer to Python is captured: tampering with Map or Promise methods
  // can only break the connector's own call, and every capture costs time in every context.)
  const uncurry = Function.prototype.bind.bind(Function.prototype.call);
  const join = uncurry(Array.prototype.join);
  const push = uncurry(Array.prototype.push);
  const repeat = uncurry(String.prototype.repeat);
  const slice = uncurry(String.prototype.slice);
  const ObjectCtor = Object, ObjectAssign = Object.assign, ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  // V8's stack-trace API (quickjs-ng has it) hands CallSite objects to user code, whose
  // getFunction() would reach the driver below (it is on the stack while timers, toJSON and
  // getters run). The engine keeps the hook in an internal slot that only this accessor sets:
  // deleted, a later `Error.prepareStackTrace = fn` makes a plain property the engine ignores.
  delete Error.prepareStackTrace;
  const INTERNAL = Symbol("sandbox.internal");
  const indirectEval = eval;
  // Internals shared with the lazily evaluated parts (lib_*.js), never reachable from connector code.
  // No prototype: a getter connector code put on Object.prototype never sees `this === I`.
  const I = { __proto__: null, JSONstringify, JSONparse, ObjectKeys, ObjectDefineProperty, ArrayIsArray, INTERNAL, DateNow, join, push, ObjectCreate: Object.create, seed: "", logs: [], logBytes: 0, logLimit: 1 << 20 };
  I.uncaught = (e) => { if (uncaught === null) uncaught = e; };
  const loaded = Object.create(null);
  I.load = function (name) {
    if (!loaded[name]) {
      if (LIB === null) LIB = JSONparse(libJson);
      const at = LIB[name];
      if (at === undefined) throw new Error(`sandbox: no library part '${name}'`);
      loaded[name] = true;
      // Each part sits below its own block of blank lines so stack frames map back to it.
      const part = indirectEval(repeat("\n", at[0]) + slice(sources, at[1], at[2]));
      // Parts run after connector code and end with `Object.assign(I, {...})`: a replaced
      // `Object` or `Object.assign` would receive I, so both are pinned while a part runs.
      const gd = ObjectGetOwnPropertyDescriptor(G, "Object"), ad = ObjectGetOwnPropertyDescriptor(ObjectCtor, "assign");
      const pristine = gd && gd.value === ObjectCtor && ad && ad.value === ObjectAssign;
      if (!pristine) {
        try {
          ObjectDefineProperty(G, "Object", { value: ObjectCtor, writable: true, configurable: true, enumerable: false });
          ObjectDefineProperty(ObjectCtor, "assign", { value: ObjectAssign, writable: true, configurable: true, enumerable: false });
        } catch (_) {
          throw internalError("sandbox_tampered", "the code made Object or Object.assign unconfigurable; sandbox library parts cannot load");
        }
      }
      try {
        part(I);
      } finally {
        if (!pristine) {
          if (gd) ObjectDefineProperty(G, "Object", gd); else delete G.Object;
          if (ad) ObjectDefineProperty(ObjectCtor, "assign", ad); else delete ObjectCtor.assign;
        }
      }
    }
    return I;
  };

  // ---------------------------------------------------------------- state of this call
  let hostLimit = 1000, hostCount = 0, nextRequestId = 1;
  let resultLimit = 16 << 20;
  const pending = new Map();
  let requests = [];
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
  I.internalError = internalError;
  I.fatal = () => fatal;
  I.setFatal = setFatal;
  function setFatal(key, message) {
    if (!fatal) fatal = { key, message };
    return internalError(key, message);
  }

  // ---------------------------------------------------------------- host operations
  I.host = host;
  // `onValue(result)` / `onError(error)`: optional, run when the operation settles, before the
  // promise does (what they return, or throw, settles it): an extension's post-processing
  // without one more promise reaction per operation.
  function host(name, payload, onValue, onError) {
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
      pending.set(id, { resolve, reject, onValue, onError });
      push(requests, "[" + id + "," + JSONstringify(name) + "," + json + "]"); // `poll` joins them (no rope reaches Python)
    });
  }

  function makeHostError(v) {
    const e = new Error(v && typeof v.message === "string" ? v.message : "host operation failed");
    if (v && v.key != null) e.key = v.key;
    if (v && v.data !== undefined && v.data !== null) e.data = v.data;
    return e;
  }

  // ---------------------------------------------------------------- modules
  const modules = new Map();
  const moduleCache = new Map(); // connector modules instantiated in this context, by key
  function defineModule(name, exportsObject) {
    if (typeof name !== "string" || !name) throw new TypeError("defineModule: name must be a non-empty string");
    modules.set(name, exportsObject);
  }
  // Built-in modules and large globals are compiled on first use: compiling is most of the cost
  // of a fresh context, and most calls never touch most of them. Each is (part, field of that part).
  // Spelled out rather than parsed from a table: setting up a context runs this code every
  // call, and QuickJS is slow at destructuring and string splitting on a cold context.
  const LAZY = { crypto: ["crypto", "cryptoModule"], buffer: ["encoding", "bufferModule"], url: ["url", "urlModule"], querystring: ["url", "querystring"] };
  modules.set("crypto", LAZY); modules.set("buffer", LAZY); modules.set("url", LAZY); modules.set("querystring", LAZY);
  // The embedder's lazy modules (sandbox.LazyModule): [name, blank lines before it, start, end].
  const LAZY_EXT = {}, lazyExt = lazyJson === "[]" ? [] : JSONparse(lazyJson);
  for (let i = 0; i < lazyExt.length; i++) { LAZY_EXT[lazyExt[i][0]] = lazyExt[i]; modules.set(lazyExt[i][0], LAZY_EXT); }
  function require(name, asDefault) {
    let n = String(name);
    if (n.startsWith("node:")) n = n.slice(5);
    if (!modules.has(n)) throw I.load("support").moduleNotAllowed(name, modules);
    let m = modules.get(n);
    if (m === LAZY) { m = I.load(LAZY[n][0])[LAZY[n][1]]; modules.set(n, m); }
    else if (m === LAZY_EXT) { const x = LAZY_EXT[n]; m = indirectEval(repeat("\n", x[1]) + slice(sources, x[2], x[3])); modules.set(n, m); }
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
  const getter = (get) => ({ get, enumerable: true, configurable: true });
  require.__export = (target, getters) => { for (const k of ObjectKeys(getters)) ObjectDefineProperty(target, k, getter(getters[k])); };
  require.__reexport = (target, source) => { for (const k of ObjectKeys(source)) if (k !== "default" && !(k in target)) ObjectDefineProperty(target, k, getter(() => source[k])); };

  // ---------------------------------------------------------------- globals
  const define = (name, value) => ObjectDefineProperty(G, name, { value, writable: true, configurable: true, enumerable: false });
  const lazy = (name, part, field) => ({
    configurable: true, enumerable: false,
    get() { const v = I.load(part)[field]; define(name, v); return v; },
    set(v) { define(name, v); },
  });
  Object.defineProperties(G, {
    console: lazy("console", "support", "console"),
    setTimeout: lazy("setTimeout", "timers", "setTimeout"),
    setInterval: lazy("setInterval", "timers", "setInterval"),
    clearTimeout: lazy("clearTimeout", "timers", "clearTimeout"),
    clearInterval: lazy("clearInterval", "timers", "clearTimeout"),
    setImmediate: lazy("setImmediate", "timers", "setImmediate"),
    clearImmediate: lazy("clearImmediate", "timers", "clearTimeout"),
    URL: lazy("URL", "url", "URL"),
    URLSearchParams: lazy("URLSearchParams", "url", "URLSearchParams"),
    TextEncoder: lazy("TextEncoder", "encoding", "TextEncoder"),
    TextDecoder: lazy("TextDecoder", "encoding", "TextDecoder"),
    Buffer: lazy("Buffer", "encoding", "Buffer"),
    structuredClone: lazy("structuredClone", "clone", "structuredClone"),
    crypto: lazy("crypto", "crypto", "cryptoGlobal"),
    fetch: lazy("fetch", "fetch", "fetch"),
    Headers: lazy("Headers", "fetch", "Headers"),
    Response: lazy("Response", "fetch", "Response"),
  });
  define("require", require);
  define("__sandbox", Object.freeze({ host, defineModule }));

  // ---------------------------------------------------------------- results and errors out
  function checkValue(key, v) {
    const t = typeof v;
    if (t === "function" || t === "symbol") throw internalError("invalid_result", `result contains a ${t}${key ? ` at key '${key}'` : ""}`);
    if (t === "bigint") throw internalError("invalid_result", `result contains a BigInt${key ? ` at key '${key}'` : ""}`);
    return v;
  }
  function settled(ok, v) { if (state === 0) { state = ok ? 1 : 2; outcome = v; } }
  const fulfil = (v) => settled(true, v), reject = (e) => settled(false, e);
  function callExport(exportsObject, exportName, fallback, argsJson, wrapperName) {
    const fn = resolveExport(exportsObject, exportName, fallback);
    const args = JSONparse(argsJson);
    try {
      if (wrapperName) {
        const w = G[wrapperName];
        if (typeof w !== "function") throw internalError("unknown_export", `wrapper '${wrapperName}' is not a global function (extensions define it)`);
        return w(fn, ...args);
      }
      return fn(...args);
    } catch (e) {
      // `export default class K {}`: say so, not "class constructors must be invoked with 'new'"
      const err = e instanceof TypeError ? I.load("support").classExportError(fn, exportName, internalError) : null;
      throw err || e;
    }
  }
  // Settles the call's outcome from a value that may be a promise, in as few jobs as possible.
  function adopt(r) {
    if (r !== null && (typeof r === "object" || typeof r === "function")) {
      let then;
      try { then = r.then; } catch (e) { reject(e); return; }
      if (typeof then === "function") { Promise.resolve(r).then(fulfil, reject); return; }
    }
    fulfil(r);
  }
  // What poll() answers once the call is over: a letter, the logs, a newline, then JSON.
  // A warm context's next call starts from a clean slate of call state; what connector code
  // left in globals stays (the same connection's calls only: sandbox/_sandbox.py).
  function reset() {
    hostCount = 0; nextRequestId = 1; pending.clear(); requests = [];
    fatal = null; state = 0; outcome = undefined; uncaught = null;
    I.logs = []; I.logBytes = 0;
  }
  function idle() {
    return pending.size === 0 && requests.length === 0 && uncaught === null && !(I.nextTimerDelay && I.nextTimerDelay() >= 0);
  }
  function over(letter, body) {
    return join([letter, I.logs.length ? I.logsJson() : "[]", "\n", body], "");
  }
  const api = {
    // One entry starts the call: limits, the module function (compiled by Python, or left in a
    // global by the bytecode loader), the export call; it answers what poll() would now. With no
    // job queued that is the call's state (a synchronous export's result, or the requests the
    // code made before its first await); otherwise Python queues the requests of this answer,
    // drains the job queue and polls again.
    // `moduleKey`: the module's instance is kept under it for later calls in this context (a
    // warm context, `warm` 1: Python passes no module function when it knows the key is here,
    // and the previous call's state is cleared first).
    start(seedHex, limitsJson, argsJson, exportName, fallback, wrapperName, modfn, moduleKey, warm) {
      delete G.__sb_driver; // left there by the context builder (sandbox/_fresh.py)
      if (warm === 1) reset();
      I.seed = seedHex;
      if (limitsJson !== null) { // null: a warm context's call with the limits it holds
        const l = JSONparse(limitsJson);
        hostLimit = l[0]; I.logLimit = l[1]; resultLimit = l[2];
      }
      let entry = moduleKey ? moduleCache.get(moduleKey) : undefined;
      if (entry === undefined) {
        if (modfn === null || modfn === undefined) { modfn = G.__sb_m; delete G.__sb_m; }
        const module = { exports: {} };
        let p, ran = false;
        try {
          p = modfn.call(module.exports, module.exports, module, require, dynamicImport, () => { ran = true; });
        } catch (e) { reject(e); return api.poll(); }
        // the body's last line says it ran to its end (sandbox/_rewrite.py): without top-level
        // await that happens in this very call, and the module is loaded now
        entry = { module, p, ready: ran };
        if (moduleKey) moduleCache.set(moduleKey, entry);
      }
      const run = () => {
        try { adopt(callExport(entry.module.exports, exportName, fallback, argsJson, wrapperName)); } catch (e) { reject(e); }
      };
      if (entry.ready) run();
      else entry.p.then(() => { entry.ready = true; run(); }, reject);
      return api.poll();
    },
    poll() {
      if (fatal) return over("F", JSONstringify(fatal));
      if (uncaught !== null) { state = 2; outcome = uncaught; uncaught = null; }
      if (state === 1) {
        const text = api.result();
        // "S": a result, but something may still run (a host operation awaited, a timer): the
        // context is not kept warm for another call
        return text[0] === "!" ? over("E", slice(text, 1)) : over(idle() ? "R" : "S", text);
      }
      if (state === 2) return over("E", api.error());
      // Strings going to Python are built with join: a `+` concatenation of long strings is a
      // rope in quickjs-ng, which the binding cannot convert ("Unknown quickjs tag: -6").
      const out = join(["[0,[", join(requests, ","), "],", I.nextTimerDelay ? I.nextTimerDelay() : -1, "]"], "");
      requests = [];
      return out;
    },
    settle(id, ok, json, raw) {
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      let v;
      if (raw === 1) { // text the embedder handed over as JSON (sandbox.RawJSON): it may not be
        try { v = JSONparse(json); } catch (e) {
          p.reject(new TypeError(`host operation result is not JSON: ${e && e.message}`));
          return;
        }
      } else v = JSONparse(json);
      if (ok) {
        if (typeof p.onValue !== "function") { p.resolve(v); return; }
        let out;
        try { out = p.onValue(v); } catch (e) { p.reject(e); return; }
        p.resolve(out);
      } else {
        let e = makeHostError(v);
        if (typeof p.onError === "function") {
          try { const mapped = p.onError(e); if (mapped !== undefined) e = mapped; } catch (x) { e = x; }
        }
        p.reject(e);
      }
    },
    // One due timer per entry (1: another is due): Python drains the job queue in between, so
    // microtasks a callback queued run before the next callback, as in Node.
    runTimers(first) { return I.runTimers ? I.runTimers(first) : 0; },
    result() {
      // Errors come back as "!" + description: JSON text never starts with "!".
      const v = outcome;
      if (v === undefined) return "null";
      let s;
      try {
        s = typeof v === "object" && v !== null ? JSONstringify(v, checkValue) : JSONstringify(checkValue("", v));
      } catch (e) {
        let err;
        if (e && e[INTERNAL]) err = e;
        else if (e && e.name === "InternalError" && e.message === "out of memory") err = internalError("result_too_large", "the result could not be serialised within the memory limit");
        else err = internalError("invalid_result", `result is not JSON-serialisable: ${e && e.message}`);
        return join(["!", JSONstringify(I.load("support").describe(err))], "");
      }
      if (typeof s !== "string") return "null";
      if (s.length > resultLimit) return join(["!", JSONstringify(I.load("support").describe(internalError("result_too_large", `result is larger than ${resultLimit} bytes`)))], "");
      return s;
    },
    error() { return JSONstringify(I.load("support").describe(outcome)); },
    fatal() { return JSONstringify(fatal); },
    logs() { return I.logs.length ? I.logsJson() : "[]"; },
  };
  // The Python side holds this one function; connector code cannot reach it.
  return function driver(op, a, b, c, d, e, f, g, h, i) { return api[op](a, b, c, d, e, f, g, h, i); };

  function resolveExport(ex, exportName, fallback) {
    const isFn = (f) => typeof f === "function";
    const has = (k) => ex !== null && ex !== undefined && (typeof ex === "object" || isFn(ex)) && k in ex;
    const d = has("default") ? ex.default : undefined;
    if (exportName !== null && exportName !== undefined) {
      if (has(exportName) && isFn(ex[exportName])) return ex[exportName];
      if (exportName === "default" && isFn(ex)) return ex;
    } else {
      if (isFn(ex)) return ex;
      if (isFn(d)) return d;
      if (fallback !== null && fallback !== undefined && has(fallback) && isFn(ex[fallback])) return ex[fallback];
      if (d === null || typeof d !== "object") {
        const fns = ex && typeof ex === "object" ? ObjectKeys(ex).filter((k) => isFn(ex[k])) : [];
        if (fns.length === 1) return ex[fns[0]];
      }
    }
    // `export default { findById() {..} }` (a method of the default export object), or an error
    return I.load("support").resolveExportMore(ex, d, exportName, fallback, internalError);
  }
})
