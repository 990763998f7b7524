// The connector-facing `apiClient` (SPEC section 4) and the runtime's call wrappers.
//
// Nothing here talks to the network: every request becomes one message to the host operation
// `http` ({method, path, query, data, options}); the Python ApiClient
// applies makeApiClient's configuration, auth, refresh-on-401, backoff and response handlers,
// and settles the promise with the body (or {data, headers, statusCode}). Failures arrive as
// Error objects carrying `key`, `message` and `data`.
(function () {
  "use strict";

  // URLSearchParams is a lazy global of the prelude: `typeof URLSearchParams` or `instanceof`
  // would compile the whole URL library in every call. Recognise it by shape instead.
  function isSearchParams(v) {
    return v !== null && typeof v === "object" && typeof v.append === "function" && typeof v.getAll === "function" &&
      typeof v.forEach === "function" && typeof v.has === "function";
  }

  // Lazy globals of the prelude (Buffer, URLSearchParams, ...) are only touched inside
  // functions: touching them here would build them in every context, for every call.
  function hasBuffer() { return typeof Buffer !== "undefined"; }

  function isBinary(value) {
    return (
      (typeof ArrayBuffer !== "undefined" && value instanceof ArrayBuffer) ||
      (typeof ArrayBuffer !== "undefined" && ArrayBuffer.isView && ArrayBuffer.isView(value))
    );
  }

  function toBase64(value) {
    var bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    if (hasBuffer()) return Buffer.from(bytes).toString("base64");
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }

  // How a request body crosses the wall (the ApiClient's conventions): JSON data stays JSON;
  // a URLSearchParams becomes {__form__: [[name, value], ...]}, bytes {__base64__: "..."},
  // a string is sent as is.
  function encodeBody(data) {
    if (data === undefined || data === null) return null;
    if (isSearchParams(data)) {
      var pairs = [];
      data.forEach(function (v, k) { pairs.push([k, v]); });
      return { __form__: pairs };
    }
    if (typeof data === "string") return data;
    if (isBinary(data)) return { __base64__: toBase64(data) };
    return JSON.parse(JSON.stringify(data));
  }

  function plainObject(value) {
    if (value === undefined || value === null) return undefined;
    if (isSearchParams(value)) {
      var out = {};
      value.forEach(function (v, k) {
        if (Object.prototype.hasOwnProperty.call(out, k)) {
          out[k] = [].concat(out[k], v);
        } else {
          out[k] = v;
        }
      });
      return out;
    }
    return JSON.parse(JSON.stringify(value));
  }

  function decodeResponse(result, options) {
    // arraybuffer and stream bodies arrive base64-encoded; both become a Buffer (a stream is
    // delivered as one whole body).
    var type = options && options.responseType;
    if ((type !== "arraybuffer" && type !== "stream") || !hasBuffer()) return result;
    if (options.returnFullResponse && result && typeof result.data === "string") {
      result.data = Buffer.from(result.data, "base64");
      return result;
    }
    if (typeof result === "string") return Buffer.from(result, "base64");
    return result;
  }

  function send(method, path, query, data, options) {
    if (path === undefined || path === null) path = "";
    var opts = options ? plainObject(options) : undefined;
    // Only what is set crosses the wall (smaller messages, less JSON work per request).
    var payload = { method: method, path: String(path) };
    var q = plainObject(query);
    if (q !== undefined) payload.query = q;
    var body = encodeBody(data);
    if (body !== null) payload.data = body;
    if (opts !== undefined) payload.options = opts;
    // The rejection is created when the host answers, far from the connector's code: give it
    // the stack of the call site instead, so an uncaught API error points at the connector line.
    var site = new Error("apiClient request");
    // decoded (or the error given this stack) as the operation settles: no extra promise hop
    return __sandbox.host("http", payload, function (result) {
      return decodeResponse(result, opts);
    }, function (error) {
      if (error && typeof error === "object" && typeof site.stack === "string") {
        try { error.stack = site.stack; } catch (ignored) { /* frozen error: keep its own stack */ }
      }
      return error;
    });
  }

  function makeApiClient() {
    var client = {
      get: function (path, query, options) { return send("GET", path, query, undefined, options); },
      head: function (path, query, options) { return send("HEAD", path, query, undefined, options); },
      post: function (path, data, options) { return send("POST", path, undefined, data, options); },
      put: function (path, data, options) { return send("PUT", path, undefined, data, options); },
      patch: function (path, data, options) { return send("PATCH", path, undefined, data, options); },
      delete: function (path, data, options) { return send("DELETE", path, undefined, data, options); },
      // Generic form seen in some connectors: request({method, path, query, data, ...options}).
      request: function (config) {
        config = config || {};
        var options = Object.assign({}, config);
        delete options.method; delete options.path; delete options.url; delete options.query; delete options.data;
        return send(String(config.method || "GET").toUpperCase(), config.path || config.url || "", config.query, config.data, options);
      },
    };
    return Object.freeze(client);
  }

  // Wrappers the runtime passes to Sandbox.call(wrapper=...): the context arrives as plain JSON;
  // methods that run with a connection get the apiClient added here. It holds no state (frozen,
  // every request goes to the host), so one per context serves the calls a warm context runs.
  var client = null;
  globalThis.__runtimeCallWithApiClient = function (fn, ctx) {
    if (ctx === null || typeof ctx !== "object") ctx = {};
    ctx.apiClient = client || (client = makeApiClient());
    return fn(ctx);
  };
  globalThis.__runtimeCall = function (fn, ctx) {
    return fn(ctx);
  };
})();
