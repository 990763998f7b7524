// Lazily evaluated part of the prelude ("url"): evaluated on first use, sharing
// internals through `I` (never reachable from connector code).
(function (I) {
  "use strict";
  const G = globalThis;
  const { JSONstringify, JSONparse, ObjectKeys, ObjectDefineProperty, ArrayIsArray } = I;
  const { utf8Encode } = I.load("encoding");
  // ---------------------------------------------------------------- URLSearchParams / URL
  function qsEncode(s, spaceAsPlus) {
    const out = encodeURIComponent(s).replace(/[!'()~]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
    return spaceAsPlus ? out.replace(/%20/g, "+") : out;
  }
  function qsDecode(s) {
    s = String(s).replace(/\+/g, " ");
    try { return decodeURIComponent(s); } catch (_) {
      return s.replace(/(%[0-9a-fA-F]{2})+/g, (m) => { try { return decodeURIComponent(m); } catch (__) { return m; } });
    }
  }
  const URL_OWNER = Symbol("url");
  class URLSearchParams {
    constructor(init) {
      this._list = [];
      this[URL_OWNER] = null;
      if (init === undefined || init === null) return;
      if (typeof init === "string") { this._parse(init); return; }
      if (init instanceof URLSearchParams) { this._list = init._list.map((p) => [p[0], p[1]]); return; }
      if (typeof init === "object" && typeof init[Symbol.iterator] === "function") {
        for (const pair of init) {
          const p = Array.from(pair);
          if (p.length !== 2) throw new TypeError("Each query pair must be an iterable [name, value] tuple");
          this._list.push([String(p[0]), String(p[1])]);
        }
        return;
      }
      if (typeof init === "object") { for (const k of ObjectKeys(init)) this._list.push([k, String(init[k])]); return; }
      this._parse(String(init));
    }
    _parse(s) {
      if (s[0] === "?") s = s.slice(1);
      this._list = [];
      for (const part of s.split("&")) {
        if (!part) continue;
        const eq = part.indexOf("=");
        this._list.push(eq < 0 ? [qsDecode(part), ""] : [qsDecode(part.slice(0, eq)), qsDecode(part.slice(eq + 1))]);
      }
    }
    _update() { const u = this[URL_OWNER]; if (u) { const s = this.toString(); u._search = s ? "?" + s : ""; } }
    get size() { return this._list.length; }
    append(k, v) { this._list.push([String(k), String(v)]); this._update(); }
    delete(k, v) { k = String(k); this._list = this._list.filter((p) => !(p[0] === k && (v === undefined || p[1] === String(v)))); this._update(); }
    get(k) { k = String(k); const p = this._list.find((x) => x[0] === k); return p ? p[1] : null; }
    getAll(k) { k = String(k); return this._list.filter((p) => p[0] === k).map((p) => p[1]); }
    has(k, v) { k = String(k); return this._list.some((p) => p[0] === k && (v === undefined || p[1] === String(v))); }
    set(k, v) {
      k = String(k); v = String(v);
      const i = this._list.findIndex((p) => p[0] === k);
      if (i < 0) this._list.push([k, v]);
      else { this._list[i][1] = v; this._list = this._list.filter((p, j) => j <= i || p[0] !== k); }
      this._update();
    }
    sort() { this._list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); this._update(); }
    forEach(fn, thisArg) { for (const [k, v] of this._list) fn.call(thisArg, v, k, this); }
    *entries() { for (const p of this._list) yield [p[0], p[1]]; }
    *keys() { for (const p of this._list) yield p[0]; }
    *values() { for (const p of this._list) yield p[1]; }
    [Symbol.iterator]() { return this.entries(); }
    toString() { return this._list.map((p) => qsEncode(p[0], true) + "=" + qsEncode(p[1], true)).join("&"); }
    get [Symbol.toStringTag]() { return "URLSearchParams"; }
  }

  // ---------------------------------------------------------------- IDN hosts (RFC 3492 punycode)
  function punycodeEncode(label) {
    const BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700;
    const cps = Array.from(label, (ch) => ch.codePointAt(0));
    const digit = (d) => String.fromCharCode(d + 22 + (d < 26 ? 75 : 0)); // 0-25: a-z, 26-35: 0-9
    const adapt = (delta, points, first) => {
      delta = first ? Math.floor(delta / DAMP) : delta >> 1;
      delta += Math.floor(delta / points);
      let k = 0;
      for (; delta > ((BASE - TMIN) * TMAX) >> 1; k += BASE) delta = Math.floor(delta / (BASE - TMIN));
      return k + Math.floor(((BASE - TMIN + 1) * delta) / (delta + SKEW));
    };
    let out = "";
    for (const c of cps) if (c < 0x80) out += String.fromCharCode(c);
    const basic = out.length;
    let h = basic, n = 0x80, delta = 0, bias = 72;
    if (basic > 0) out += "-";
    while (h < cps.length) {
      let m = Infinity;
      for (const c of cps) if (c >= n && c < m) m = c;
      delta += (m - n) * (h + 1);
      n = m;
      for (const c of cps) {
        if (c < n) delta++;
        if (c !== n) continue;
        let q = delta;
        for (let k = BASE; ; k += BASE) {
          const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
          if (q < t) break;
          out += digit(t + ((q - t) % (BASE - t)));
          q = Math.floor((q - t) / (BASE - t));
        }
        out += digit(q);
        bias = adapt(delta, h + 1, h === basic);
        delta = 0;
        h++;
      }
      delta++;
      n++;
    }
    return out;
  }
  // A host name as it goes on the wire: each non-ASCII label becomes `xn--` + punycode.
  function domainToASCII(host) {
    host = String(host);
    if (!/[^\x00-\x7f]/.test(host)) return host.toLowerCase();
    return host.split(/[.\u3002\uff0e\uff61]/).map((label) => {
      if (!/[^\x00-\x7f]/.test(label)) return label.toLowerCase();
      let l = label.toLowerCase();
      try { l = l.normalize("NFC"); } catch (_) { /* keep as is */ }
      return "xn--" + punycodeEncode(l);
    }).join(".");
  }

  const SPECIAL_PORTS = { "http:": "80", "https:": "443", "ws:": "80", "wss:": "443", "ftp:": "21", "file:": "" };
  function encodeSet(s, re) { return s.replace(re, (c) => utf8Encode(c).reduce((a, b) => a + "%" + (b < 16 ? "0" : "") + b.toString(16).toUpperCase(), "")); }
  const PATH_RE = /[^\x21-\x7e]|["#<>?`{}]/gu;
  const QUERY_RE = /[^\x21-\x7e]|["#<>']/gu;
  const FRAG_RE = /[^\x21-\x7e]|["<>`]/gu;
  const USER_RE = /[^\x21-\x7e]|["#<>?`{}/:;=@[\\\]^|]/gu;
  function normalizePath(path, special) {
    const segs = path.split("/");
    const out = [];
    for (let i = 1; i < segs.length; i++) {
      const s = segs[i];
      const low = s.toLowerCase();
      if (s === ".." || low === "%2e%2e" || low === ".%2e" || low === "%2e.") { if (out.length) out.pop(); if (i === segs.length - 1) out.push(""); }
      else if (s === "." || low === "%2e") { if (i === segs.length - 1) out.push(""); }
      else out.push(s);
    }
    return "/" + out.join("/");
  }
  class URL {
    constructor(url, base) {
      url = String(url).trim();
      const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(url);
      if (m) this._parseAbsolute(m[1].toLowerCase() + ":", m[2], url);
      else {
        if (base === undefined) throw new TypeError(`Invalid URL: ${url}`);
        const b = base instanceof URL ? base : new URL(base);
        this._resolve(url, b);
      }
      this._sp = null;
    }
    _parseAbsolute(protocol, rest, original) {
      this._protocol = protocol;
      this._username = ""; this._password = ""; this._hostname = ""; this._port = "";
      let hash = "", search = "";
      const h = rest.indexOf("#"); if (h >= 0) { hash = rest.slice(h); rest = rest.slice(0, h); }
      const special = protocol in SPECIAL_PORTS;
      if (special) rest = rest.replace(/\\/g, "/");
      const q = rest.indexOf("?"); if (q >= 0) { search = rest.slice(q); rest = rest.slice(0, q); }
      if (protocol === "file:" && !rest.startsWith("//")) rest = "//" + (rest[0] === "/" ? "" : "/") + rest;
      if (rest.startsWith("//") || special) {
        // `file:///tmp/x`: the host is what sits between the first two slashes and the third
        rest = protocol === "file:" || !special ? rest.slice(2) : rest.replace(/^\/*/, "");
        const slash = rest.indexOf("/");
        let auth = slash >= 0 ? rest.slice(0, slash) : rest;
        let path = slash >= 0 ? rest.slice(slash) : "";
        const at = auth.lastIndexOf("@");
        if (at >= 0) {
          const cred = auth.slice(0, at); auth = auth.slice(at + 1);
          const c = cred.indexOf(":");
          this._username = encodeSet(c >= 0 ? cred.slice(0, c) : cred, USER_RE);
          this._password = c >= 0 ? encodeSet(cred.slice(c + 1), USER_RE) : "";
        }
        const pm = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(auth);
        if (!pm) throw new TypeError(`Invalid URL: ${original}`);
        let host = pm[1];
        if (special) {
          if (!host && protocol !== "file:") throw new TypeError(`Invalid URL: ${original}`);
          try { host = decodeURIComponent(host); } catch (_) { throw new TypeError(`Invalid URL: ${original}`); }
          host = domainToASCII(host);
          if (/[\s#%/:<>?@[\\\]^|]/.test(host.replace(/^\[.*\]$/, ""))) throw new TypeError(`Invalid URL: ${original}`);
        }
        this._hostname = host;
        const port = pm[2] || "";
        if (port && Number(port) > 65535) throw new TypeError(`Invalid URL: ${original}`);
        this._port = port === "" || SPECIAL_PORTS[protocol] === String(Number(port)) ? "" : String(Number(port));
        this._hasAuthority = true;
        this._pathname = special ? normalizePath(encodeSet(path || "/", PATH_RE), true) : encodeSet(path, PATH_RE);
      } else {
        this._hasAuthority = false;
        this._pathname = special ? normalizePath(encodeSet(rest, PATH_RE), true) : encodeSet(rest, PATH_RE);
      }
      // "?" and "#" alone stay in href (an empty query or fragment), search and hash read ""
      this._search = encodeSet(search, QUERY_RE);
      this._hash = encodeSet(hash, FRAG_RE);
    }
    _resolve(rel, b) {
      this._protocol = b._protocol; this._username = b._username; this._password = b._password;
      this._hostname = b._hostname; this._port = b._port; this._hasAuthority = b._hasAuthority;
      const special = b._protocol in SPECIAL_PORTS;
      if (special) rel = rel.replace(/\\/g, "/");
      if (rel.startsWith("//")) { this._parseAbsolute(b._protocol, rel, rel); return; }
      let hash = "", search = null;
      const h = rel.indexOf("#"); if (h >= 0) { hash = rel.slice(h); rel = rel.slice(0, h); }
      const q = rel.indexOf("?"); if (q >= 0) { search = rel.slice(q); rel = rel.slice(0, q); }
      if (rel === "") { this._pathname = b._pathname; this._search = search === null ? b._search : encodeSet(search, QUERY_RE); }
      else {
        const path = rel[0] === "/" ? rel : b._pathname.slice(0, b._pathname.lastIndexOf("/") + 1) + rel;
        this._pathname = normalizePath(encodeSet(path, PATH_RE), special);
        this._search = search ? encodeSet(search, QUERY_RE) : "";
      }
      this._hash = encodeSet(hash, FRAG_RE);
    }
    get protocol() { return this._protocol; }
    set protocol(v) { v = String(v).replace(/:.*$/, "").toLowerCase(); if (/^[a-z][a-z0-9+.-]*$/.test(v)) this._protocol = v + ":"; }
    get username() { return this._username; }
    set username(v) { this._username = encodeSet(String(v), USER_RE); }
    get password() { return this._password; }
    set password(v) { this._password = encodeSet(String(v), USER_RE); }
    get hostname() { return this._hostname; }
    set hostname(v) { this._hostname = domainToASCII(v); }
    get port() { return this._port; }
    set port(v) { v = String(v); this._port = v === "" || SPECIAL_PORTS[this._protocol] === v ? "" : String(parseInt(v, 10)); }
    get host() { return this._hostname + (this._port ? ":" + this._port : ""); }
    set host(v) { const [h, p] = String(v).split(":"); this.hostname = h; if (p !== undefined) this.port = p; }
    get origin() { return this._protocol in SPECIAL_PORTS && this._protocol !== "file:" ? this._protocol + "//" + this.host : "null"; }
    get pathname() { return this._pathname; }
    set pathname(v) { v = String(v); if (this._hasAuthority && v[0] !== "/") v = "/" + v; this._pathname = normalizePath(encodeSet(v, PATH_RE), true); }
    get search() { return this._search.length > 1 ? this._search : ""; }
    set search(v) { v = String(v); if (v[0] === "?") v = v.slice(1); this._search = v ? "?" + encodeSet(v, QUERY_RE) : ""; if (this._sp) this._sp._parse(this._search); }
    get searchParams() {
      if (!this._sp) { this._sp = new URLSearchParams(this._search); this._sp[URL_OWNER] = this; }
      return this._sp;
    }
    get hash() { return this._hash.length > 1 ? this._hash : ""; }
    set hash(v) { v = String(v); if (v[0] === "#") v = v.slice(1); this._hash = v ? "#" + encodeSet(v, FRAG_RE) : ""; }
    get href() {
      const auth = this._username || this._password ? this._username + (this._password ? ":" + this._password : "") + "@" : "";
      return this._protocol + (this._hasAuthority ? "//" + auth + this.host : "") + this._pathname + this._search + this._hash;
    }
    set href(v) {
      const u = new URL(v), sp = this._sp;
      Object.assign(this, u);
      this._sp = sp; // the same searchParams object, now reading the new query
      if (sp) sp._parse(this._search);
    }
    toString() { return this.href; }
    toJSON() { return this.href; }
    static canParse(u, b) { try { new URL(u, b); return true; } catch (_) { return false; } }
    get [Symbol.toStringTag]() { return "URL"; }
  }

  // ---------------------------------------------------------------- querystring
  const querystring = {
    parse(str, sep, eq) {
      sep = sep || "&"; eq = eq || "=";
      const out = {};
      for (const part of String(str || "").split(sep)) {
        if (!part) continue;
        const i = part.indexOf(eq);
        const k = qsDecode(i < 0 ? part : part.slice(0, i)), v = i < 0 ? "" : qsDecode(part.slice(i + eq.length));
        if (Object.prototype.hasOwnProperty.call(out, k)) out[k] = [].concat(out[k], v); else out[k] = v;
      }
      return out;
    },
    stringify(obj, sep, eq) {
      sep = sep || "&"; eq = eq || "=";
      if (!obj || typeof obj !== "object") return "";
      const enc = (v) => (typeof v === "string" ? v : typeof v === "number" && isFinite(v) ? String(v) : typeof v === "boolean" || typeof v === "bigint" ? String(v) : "");
      const parts = [];
      for (const k of ObjectKeys(obj)) {
        const v = obj[k];
        if (ArrayIsArray(v)) for (const x of v) parts.push(qsEncode(k) + eq + qsEncode(enc(x)));
        else parts.push(qsEncode(k) + eq + qsEncode(enc(v)));
      }
      return parts.join(sep);
    },
    escape: (s) => qsEncode(String(s)),
    unescape: (s) => qsDecode(s),
  };
  querystring.decode = querystring.parse;
  querystring.encode = querystring.stringify;

  // ---------------------------------------------------------------- legacy url.parse / format, file paths
  const SLASHED = { "http:": 1, "https:": 1, "ftp:": 1, "ws:": 1, "wss:": 1, "file:": 1, "gopher:": 1 };
  function parse(str, parseQueryString, slashesDenoteHost) {
    if (typeof str !== "string") throw new TypeError(`The "url" argument must be of type string. Received ${typeof str}`);
    const u = { protocol: null, slashes: null, auth: null, host: null, port: null, hostname: null, hash: null, search: null, query: null, pathname: null, path: null, href: "" };
    let rest = str.trim();
    const h = rest.indexOf("#");
    if (h >= 0) { u.hash = rest.slice(h); rest = rest.slice(0, h); }
    const q = rest.indexOf("?");
    if (q >= 0) { u.search = rest.slice(q); u.query = rest.slice(q + 1); rest = rest.slice(0, q); }
    else if (parseQueryString) { u.search = ""; u.query = ""; }
    if (parseQueryString) u.query = querystring.parse(u.query);
    const pm = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.exec(rest);
    if (pm) { u.protocol = pm[0].toLowerCase(); rest = rest.slice(pm[0].length); }
    if (rest.startsWith("//") && (u.protocol ? u.protocol !== "javascript:" : slashesDenoteHost)) {
      u.slashes = true;
      rest = rest.slice(2);
      const end = rest.search(/[/\\]/);
      let auth = end < 0 ? rest : rest.slice(0, end);
      rest = end < 0 ? "" : rest.slice(end);
      const at = auth.lastIndexOf("@");
      if (at >= 0) { u.auth = qsDecode(auth.slice(0, at).replace(/\+/g, "%2B")); auth = auth.slice(at + 1); }
      const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(auth) || [auth, auth, ""];
      u.hostname = domainToASCII(m[1].replace(/^\[|\]$/g, ""));
      u.port = m[2] ? m[2] : null;
      u.host = (m[1][0] === "[" ? "[" + u.hostname + "]" : u.hostname) + (u.port ? ":" + u.port : "");
    }
    u.pathname = rest || (u.slashes && SLASHED[u.protocol] ? "/" : rest || null);
    if (u.pathname === "" && !u.protocol) u.pathname = null;
    u.path = u.pathname === null && u.search === null ? null : (u.pathname || "") + (u.search || "");
    u.href = format(u);
    return u;
  }
  function format(u, options) {
    if (typeof u === "string") u = parse(u);
    else if (u instanceof URL) {
      const o = options || {};
      const x = new URL(u.href);
      if (o.auth === false) { x.username = ""; x.password = ""; }
      if (o.search === false) x.search = "";
      if (o.fragment === false) x.hash = "";
      return x.href;
    }
    if (u === null || typeof u !== "object") throw new TypeError('The "urlObject" argument must be one of type object or string.');
    let protocol = u.protocol || "";
    if (protocol && protocol[protocol.length - 1] !== ":") protocol += ":";
    const auth = u.auth ? encodeURIComponent(u.auth).replace(/%3A/gi, ":") + "@" : "";
    let host = "";
    if (u.host) host = auth + u.host;
    else if (u.hostname) host = auth + (u.hostname.includes(":") ? "[" + u.hostname + "]" : u.hostname) + (u.port ? ":" + u.port : "");
    let pathname = u.pathname || "";
    let search = u.search || "";
    if (!search && u.query && typeof u.query === "object") { const qs = querystring.stringify(u.query); if (qs) search = "?" + qs; }
    else if (!search && typeof u.query === "string" && u.query) search = "?" + u.query;
    if (search && search[0] !== "?") search = "?" + search;
    let hash = u.hash || "";
    if (hash && hash[0] !== "#") hash = "#" + hash;
    if (u.slashes || SLASHED[protocol] ? host || protocol === "file:" : false) {
      host = "//" + host;
      if (pathname && pathname[0] !== "/") pathname = "/" + pathname;
    }
    pathname = pathname.replace(/[?#]/g, encodeURIComponent);
    search = search.replace(/#/g, "%23");
    return protocol + host + pathname + search + hash;
  }
  function resolve(from, to) {
    from = String(from); to = String(to);
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(from)) return new URL(to, from).href;
    const r = new URL(to, new URL(from, "http://resolve.invalid")); // a path: resolve, then drop the stand-in host
    return r.host === "resolve.invalid" ? r.pathname + r.search + r.hash : r.href;
  }
  function fileURLToPath(u) {
    if (typeof u === "string") u = new URL(u);
    else if (!(u instanceof URL)) throw new TypeError('The "path" argument must be of type string or an instance of URL.');
    if (u.protocol !== "file:") throw new TypeError("The URL must be of scheme file");
    if (u.hostname !== "" && u.hostname !== "localhost") throw new TypeError(`File URL host must be "localhost" or empty on this platform`);
    if (/%2f/i.test(u.pathname)) throw new TypeError("File URL path must not include encoded / characters");
    return decodeURIComponent(u.pathname);
  }
  function pathToFileURL(path) {
    let p = String(path);
    if (p[0] !== "/") p = "/" + p; // no working directory in the sandbox: relative to the root
    p = p.replace(/%/g, "%25").replace(/\\/g, "%5C").replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/\t/g, "%09").replace(/#/g, "%23").replace(/\?/g, "%3F");
    return new URL("file://" + p);
  }

  I.urlModule = { URL, URLSearchParams, parse, format, resolve, fileURLToPath, pathToFileURL, domainToASCII };
  Object.assign(I, { URL, URLSearchParams, querystring, qsEncode, qsDecode });
})
