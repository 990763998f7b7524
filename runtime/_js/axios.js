// An axios-compatible module for `import axios from 'axios'` / `require('axios')`.
//
// Real connector code imports axios for calls outside the configured apiClient (token
// endpoints, file downloads, other hosts). This is the subset those connectors use: callable,
// request/get/delete/head/options/post/put/patch, create(defaults), defaults, interceptors,
// isAxiosError, AxiosError; responses are {data, status, statusText, headers, config}; a status
// outside validateStatus rejects with an AxiosError carrying `response`.
//
// Loaded lazily: this file is kept as a string by the runtime and evaluated (as one
// expression whose value is the axios instance) on the first `require('axios')`, so calls that
// never use axios do not pay for parsing it in every fresh context.
//
// Transport: the host operation `fetch` ({url, method, headers, body, bodyEncoding,
// responseEncoding} -> {status, statusText, headers, body}), which the runtime routes through
// the connection's HTTP client (pooling, request log, redaction, deadline). No connection auth
// is added: like the real axios, the caller sets its own headers.
(function () {
  "use strict";

  // URLSearchParams is a lazy global of the prelude: `typeof URLSearchParams` or `instanceof`
  // would compile the whole URL library in every call. Recognise it by shape instead.
  function isSearchParams(v) {
    return v !== null && typeof v === "object" && typeof v.append === "function" && typeof v.getAll === "function" &&
      typeof v.forEach === "function" && typeof v.has === "function";
  }

  function isAbsolute(url) { return /^[a-z][a-z0-9+.\-]*:\/\//i.test(url); }

  function joinUrl(base, url) {
    if (!base || isAbsolute(url)) return url;
    if (!url) return base;
    return base.replace(/\/+$/, "") + "/" + url.replace(/^\/+/, "");
  }

  function encodeParam(key, value, out) {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      value.forEach(function (v) { encodeParam(key + "[]", v, out); });
      return;
    }
    if (value instanceof Date) value = value.toISOString();
    else if (typeof value === "object") value = JSON.stringify(value);
    out.push(encodeURIComponent(key) + "=" + encodeURIComponent(String(value)));
  }

  function serializeParams(params) {
    if (!params) return "";
    if (isSearchParams(params)) return params.toString();
    var out = [];
    Object.keys(params).forEach(function (k) { encodeParam(k, params[k], out); });
    return out.join("&");
  }

  function lowerHeaders(headers) {
    var out = {};
    if (!headers) return out;
    Object.keys(headers).forEach(function (k) {
      var v = headers[k];
      if (v === undefined || v === null) return;
      out[k.toLowerCase()] = String(v);
    });
    return out;
  }

  function isBinary(value) {
    return (
      (typeof ArrayBuffer !== "undefined" && value instanceof ArrayBuffer) ||
      (typeof ArrayBuffer !== "undefined" && ArrayBuffer.isView && ArrayBuffer.isView(value))
    );
  }

  function toBase64(value) {
    var bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return Buffer.from(bytes).toString("base64");
  }

  function mergeConfig(a, b) {
    var out = Object.assign({}, a || {}, b || {});
    out.headers = Object.assign({}, lowerHeaders((a || {}).headers), lowerHeaders((b || {}).headers));
    if ((a || {}).params || (b || {}).params) out.params = Object.assign({}, (a || {}).params, (b || {}).params);
    return out;
  }

  function AxiosError(message, code, config, response) {
    var err = new Error(message);
    Object.setPrototypeOf(err, AxiosError.prototype);
    err.name = "AxiosError";
    err.code = code;
    err.config = config;
    err.response = response;
    err.isAxiosError = true;
    if (response) {
      err.status = response.status;
      err.data = { status: response.status, data: response.data };
    }
    err.toJSON = function () {
      return { name: err.name, message: err.message, code: err.code, status: err.status };
    };
    return err;
  }
  AxiosError.prototype = Object.create(Error.prototype);
  AxiosError.prototype.constructor = AxiosError;

  function prepareBody(config, headers) {
    var data = config.data;
    if (data === undefined || data === null) return { body: null, encoding: "text" };
    var ct = headers["content-type"] || "";
    if (isSearchParams(data)) {
      if (!ct) headers["content-type"] = "application/x-www-form-urlencoded;charset=utf-8";
      return { body: data.toString(), encoding: "text" };
    }
    if (typeof data === "string") {
      if (!ct) headers["content-type"] = "application/x-www-form-urlencoded";
      return { body: data, encoding: "text" };
    }
    if (isBinary(data)) return { body: toBase64(data), encoding: "base64" };
    if (/application\/x-www-form-urlencoded/i.test(ct)) {
      return { body: serializeParams(data), encoding: "text" };
    }
    if (!ct) headers["content-type"] = "application/json";
    return { body: JSON.stringify(data), encoding: "text" };
  }

  function parseData(text, config, headers) {
    var type = config.responseType || "json";
    if (type === "arraybuffer") return Buffer.from(text, "base64");
    if (type === "text") return text;
    if (type === "json" || type === "stream" || type === "document" || type === "blob") {
      if (text === "") return text;
      try { return JSON.parse(text); } catch (e) { return text; }
    }
    return text;
  }

  function dispatch(config) {
    var headers = lowerHeaders(config.headers);
    if (!headers["accept"]) headers["accept"] = "application/json, text/plain, */*";
    if (config.auth) {
      var user = config.auth.username || "";
      var pass = config.auth.password || "";
      headers["authorization"] = "Basic " + Buffer.from(user + ":" + pass, "utf8").toString("base64");
    }
    var url = joinUrl(config.baseURL, config.url || "");
    var qs = serializeParams(config.params);
    if (qs) url += (url.indexOf("?") >= 0 ? "&" : "?") + qs;
    var method = String(config.method || "get").toUpperCase();
    var prepared = prepareBody(config, headers);
    var payload = {
      url: url,
      method: method,
      headers: headers,
      body: prepared.body,
      bodyEncoding: prepared.encoding,
      responseEncoding: config.responseType === "arraybuffer" ? "base64" : "text",
    };
    return __sandbox.host("fetch", payload).then(function (res) {
      var response = {
        data: parseData(res.body, config, res.headers),
        status: res.status,
        statusText: res.statusText || "",
        headers: res.headers || {},
        config: config,
        request: { method: method, url: url },
      };
      var validate = config.validateStatus === undefined
        ? function (s) { return s >= 200 && s < 300; }
        : config.validateStatus;
      if (!validate || validate(response.status)) return response;
      var code = response.status >= 500 ? "ERR_BAD_RESPONSE" : "ERR_BAD_REQUEST";
      throw AxiosError("Request failed with status code " + response.status, code, config, response);
    }, function (err) {
      if (err && err.isAxiosError) throw err;
      var e = AxiosError((err && err.message) || "Network Error", "ERR_NETWORK", config, undefined);
      if (err && err.key) e.key = err.key;
      throw e;
    });
  }

  function InterceptorManager() { this.handlers = []; }
  InterceptorManager.prototype.use = function (fulfilled, rejected) {
    this.handlers.push({ fulfilled: fulfilled, rejected: rejected });
    return this.handlers.length - 1;
  };
  InterceptorManager.prototype.eject = function (id) { if (this.handlers[id]) this.handlers[id] = null; };
  InterceptorManager.prototype.clear = function () { this.handlers = []; };

  function createInstance(defaults) {
    var ctx = {
      defaults: Object.assign({ headers: {} }, defaults || {}),
      interceptors: { request: new InterceptorManager(), response: new InterceptorManager() },
    };

    function request(configOrUrl, maybeConfig) {
      var config = typeof configOrUrl === "string"
        ? Object.assign({}, maybeConfig || {}, { url: configOrUrl })
        : Object.assign({}, configOrUrl || {});
      config = mergeConfig(ctx.defaults, config);
      var chain = Promise.resolve(config);
      ctx.interceptors.request.handlers.forEach(function (h) {
        if (h) chain = chain.then(h.fulfilled, h.rejected);
      });
      chain = chain.then(dispatch);
      ctx.interceptors.response.handlers.forEach(function (h) {
        if (h) chain = chain.then(h.fulfilled, h.rejected);
      });
      return chain;
    }

    var instance = function (configOrUrl, maybeConfig) { return request(configOrUrl, maybeConfig); };
    instance.request = request;
    ["get", "delete", "head", "options"].forEach(function (m) {
      instance[m] = function (url, config) { return request(Object.assign({}, config || {}, { url: url, method: m })); };
    });
    ["post", "put", "patch"].forEach(function (m) {
      instance[m] = function (url, data, config) {
        return request(Object.assign({}, config || {}, { url: url, method: m, data: data }));
      };
    });
    instance.defaults = ctx.defaults;
    instance.interceptors = ctx.interceptors;
    instance.create = function (more) { return createInstance(mergeConfig(ctx.defaults, more || {})); };
    instance.isAxiosError = function (e) { return !!(e && e.isAxiosError); };
    instance.AxiosError = AxiosError;
    instance.all = function (list) { return Promise.all(list); };
    instance.spread = function (fn) { return function (arr) { return fn.apply(null, arr); }; };
    instance.default = instance;
    return instance;
  }

  return createInstance({});
})()
