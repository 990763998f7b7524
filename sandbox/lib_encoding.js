// Lazily evaluated part of the prelude ("encoding"): evaluated on first use, sharing
// internals through `I` (never reachable from connector code).
(function (I) {
  "use strict";
  const G = globalThis;
  const { JSONstringify, JSONparse, ObjectKeys, ObjectDefineProperty, ArrayIsArray } = I;
  // ---------------------------------------------------------------- encodings
  // Sized first (utf8Length), then written in place: no per-character array growth.
  function utf8Encode(str) {
    str = String(str);
    const n = str.length, out = new Uint8Array(utf8Length(str));
    for (var i = 0, j = 0, c, d; i < n; i++) {
      c = str.charCodeAt(i);
      if (c < 0x80) { out[j++] = c; continue; }
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (d = str.charCodeAt(i + 1)) >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++;
      } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x800) { out[j++] = 0xc0 | (c >> 6); out[j++] = 0x80 | (c & 63); }
      else if (c < 0x10000) { out[j++] = 0xe0 | (c >> 12); out[j++] = 0x80 | ((c >> 6) & 63); out[j++] = 0x80 | (c & 63); }
      else { out[j++] = 0xf0 | (c >> 18); out[j++] = 0x80 | ((c >> 12) & 63); out[j++] = 0x80 | ((c >> 6) & 63); out[j++] = 0x80 | (c & 63); }
    }
    return out;
  }
  function utf8Decode(bytes, start, end) {
    start = start || 0; end = end === undefined ? bytes.length : end;
    let s = "";
    const chunk = [];
    for (let i = start; i < end;) {
      const b = bytes[i];
      let c, n = 0;
      if (b < 0x80) { c = b; }
      else if (b >= 0xc2 && b < 0xe0) { c = b & 31; n = 1; }
      else if (b >= 0xe0 && b < 0xf0) { c = b & 15; n = 2; }
      else if (b >= 0xf0 && b < 0xf5) { c = b & 7; n = 3; }
      else { c = 0xfffd; i++; chunk.push(c); continue; }
      let ok = i + n < end;
      for (let k = 1; k <= n && ok; k++) {
        const x = bytes[i + k];
        if ((x & 0xc0) !== 0x80) ok = false; else c = (c << 6) | (x & 63);
      }
      if (!ok || (n === 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (n === 3 && (c < 0x10000 || c > 0x10ffff))) {
        chunk.push(0xfffd); i++; continue;
      }
      i += n + 1;
      if (c >= 0x10000) { c -= 0x10000; chunk.push(0xd800 + (c >> 10), 0xdc00 + (c & 1023)); }
      else chunk.push(c);
      if (chunk.length > 8192) { s += String.fromCharCode.apply(null, chunk); chunk.length = 0; }
    }
    return s + String.fromCharCode.apply(null, chunk);
  }
  function utf8Length(str) {
    let n = 0;
    for (var i = 0, c, d; i < str.length; i++) {
      c = str.charCodeAt(i);
      if (c < 0x80) n += 1; else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length && (d = str.charCodeAt(i + 1)) >= 0xdc00 && d <= 0xdfff) { n += 4; i++; }
      else n += 3; // BMP, or a lone surrogate written as U+FFFD
    }
    return n;
  }
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const B64REV = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) { B64REV[B64.charCodeAt(i)] = i; B64REV[B64URL.charCodeAt(i)] = i; }
  function base64Encode(bytes, url) {
    const A = url ? B64URL : B64;
    let s = "";
    let i = 0;
    for (; i + 2 < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      s += A[n >> 18] + A[(n >> 12) & 63] + A[(n >> 6) & 63] + A[n & 63];
    }
    if (i < bytes.length) {
      const n = (bytes[i] << 16) | ((i + 1 < bytes.length ? bytes[i + 1] : 0) << 8);
      s += A[n >> 18] + A[(n >> 12) & 63];
      if (i + 1 < bytes.length) s += A[(n >> 6) & 63] + (url ? "" : "=");
      else s += url ? "" : "==";
    }
    return s;
  }
  function base64Decode(str) {
    const out = [];
    let acc = 0, bits = 0;
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      if (c === 61) break; // '='
      const v = c < 128 ? B64REV[c] : -1;
      if (v < 0) continue; // Node skips invalid characters
      acc = (acc << 6) | v; bits += 6;
      if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 255); }
    }
    return new Uint8Array(out);
  }
  const HEX = [];
  for (let i = 0; i < 256; i++) HEX.push((i < 16 ? "0" : "") + i.toString(16));
  function hexEncode(bytes) { let s = ""; for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]]; return s; }
  function hexDecode(str) {
    const n = str.length >> 1, out = [];
    for (let i = 0; i < n; i++) {
      const v = parseInt(str.substr(i * 2, 2), 16);
      if (Number.isNaN(v)) break;
      out.push(v);
    }
    return new Uint8Array(out);
  }
  function latin1Encode(str) { const out = new Uint8Array(str.length); for (let i = 0; i < str.length; i++) out[i] = str.charCodeAt(i) & 255; return out; }
  function latin1Decode(bytes) { let s = ""; for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode.apply(null, Array.prototype.slice.call(bytes, i, i + 8192)); return s; }

  function normEncoding(enc) {
    const e = enc === undefined || enc === null ? "utf8" : String(enc).toLowerCase();
    switch (e) {
      case "utf8": case "utf-8": return "utf8";
      case "hex": return "hex";
      case "base64": return "base64";
      case "base64url": return "base64url";
      case "latin1": case "binary": return "latin1";
      case "ascii": return "ascii";
      case "ucs2": case "ucs-2": case "utf16le": case "utf-16le": return "utf16le";
      default: throw new TypeError(`Unknown encoding: ${enc}`);
    }
  }
  function encodeString(str, enc) {
    switch (normEncoding(enc)) {
      case "utf8": return utf8Encode(str);
      case "hex": return hexDecode(str);
      case "base64": case "base64url": return base64Decode(str);
      case "latin1": case "ascii": return latin1Encode(str);
      case "utf16le": { const out = new Uint8Array(str.length * 2); for (let i = 0; i < str.length; i++) { const c = str.charCodeAt(i); out[2 * i] = c & 255; out[2 * i + 1] = c >> 8; } return out; }
    }
  }
  function decodeBytes(bytes, enc) {
    switch (normEncoding(enc)) {
      case "utf8": return utf8Decode(bytes);
      case "hex": return hexEncode(bytes);
      case "base64": return base64Encode(bytes, false);
      case "base64url": return base64Encode(bytes, true);
      case "latin1": return latin1Decode(bytes);
      case "ascii": { const b = new Uint8Array(bytes.length); for (let i = 0; i < b.length; i++) b[i] = bytes[i] & 127; return latin1Decode(b); }
      case "utf16le": { let s = ""; for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8)); return s; }
    }
  }
  function toBytes(data, enc) {
    if (typeof data === "string") return encodeString(data, enc);
    if (data instanceof Uint8Array) return data;
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    throw new TypeError("expected a string, Buffer, TypedArray or ArrayBuffer");
  }

  // ---------------------------------------------------------------- Buffer (the common subset)
  class Buffer extends Uint8Array {
    static from(value, encOrOffset, length) {
      if (typeof value === "string") return Buffer._wrap(encodeString(value, encOrOffset));
      if (value instanceof ArrayBuffer) {
        const off = encOrOffset === undefined ? 0 : encOrOffset >>> 0;
        const len = length === undefined ? value.byteLength - off : length >>> 0;
        return new Buffer(value, off, len);
      }
      if (ArrayBuffer.isView(value)) { const b = new Buffer(value.byteLength); b.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)); return b; }
      if (ArrayIsArray(value)) { const b = new Buffer(value.length); for (let i = 0; i < value.length; i++) b[i] = value[i] & 255; return b; }
      if (value && value.type === "Buffer" && ArrayIsArray(value.data)) return Buffer.from(value.data);
      if (value && typeof value.length === "number") return Buffer.from(Array.from(value));
      throw new TypeError("The first argument must be a string, Buffer, ArrayBuffer, Array, or array-like object");
    }
    static _wrap(u8) { return new Buffer(u8.buffer, u8.byteOffset, u8.byteLength); }
    static alloc(size, fill, enc) {
      const b = new Buffer(size >>> 0);
      if (fill !== undefined && fill !== 0) {
        if (typeof fill === "number") b.fill(fill & 255);
        else { const f = toBytes(fill, enc); if (f.length) for (let i = 0; i < b.length; i++) b[i] = f[i % f.length]; }
      }
      return b;
    }
    static allocUnsafe(size) { return new Buffer(size >>> 0); }
    static isBuffer(x) { return x instanceof Buffer; }
    static isEncoding(e) { try { normEncoding(e); return true; } catch (_) { return false; } }
    static byteLength(value, enc) {
      if (typeof value === "string") {
        const e = normEncoding(enc);
        return e === "utf8" ? utf8Length(value) : encodeString(value, e).length;
      }
      return toBytes(value).byteLength;
    }
    static concat(list, totalLength) {
      if (!ArrayIsArray(list)) throw new TypeError("list argument must be an Array of Buffers");
      let total = 0;
      for (const b of list) total += b.length;
      if (totalLength !== undefined) total = totalLength >>> 0;
      const out = Buffer.alloc(total);
      let off = 0;
      for (const b of list) {
        if (off >= total) break;
        const u = toBytes(b);
        out.set(u.length + off > total ? u.subarray(0, total - off) : u, off);
        off += u.length;
      }
      return out;
    }
    static compare(a, b) { return a.compare(b); }
    toString(enc, start, end) {
      start = start === undefined ? 0 : Math.max(0, start | 0);
      end = end === undefined ? this.length : Math.min(this.length, end | 0);
      const view = start === 0 && end === this.length ? this : new Uint8Array(this.buffer, this.byteOffset + start, Math.max(0, end - start));
      return decodeBytes(view, enc);
    }
    toJSON() { return { type: "Buffer", data: Array.from(this) }; }
    equals(other) {
      const o = toBytes(other);
      if (o.length !== this.length) return false;
      for (let i = 0; i < o.length; i++) if (o[i] !== this[i]) return false;
      return true;
    }
    compare(other) {
      const o = toBytes(other);
      const n = Math.min(o.length, this.length);
      for (let i = 0; i < n; i++) if (this[i] !== o[i]) return this[i] < o[i] ? -1 : 1;
      return this.length === o.length ? 0 : this.length < o.length ? -1 : 1;
    }
    slice(start, end) { return this.subarray(start, end); }
    subarray(start, end) { const u = Uint8Array.prototype.subarray.call(this, start, end); return new Buffer(u.buffer, u.byteOffset, u.byteLength); }
    write(str, offset, enc) {
      if (typeof offset === "string") { enc = offset; offset = 0; }
      const b = encodeString(str, enc);
      offset = offset >>> 0;
      const n = Math.min(b.length, this.length - offset);
      this.set(b.subarray(0, n), offset);
      return n;
    }
    // Search for a string (in `enc`), a number (a byte) or bytes, from byteOffset (negative:
    // from the end), as Node does.
    indexOf(value, byteOffset, enc) { return bufferIndexOf(this, value, byteOffset, enc, true); }
    lastIndexOf(value, byteOffset, enc) { return bufferIndexOf(this, value, byteOffset, enc, false); }
    includes(value, byteOffset, enc) { return this.indexOf(value, byteOffset, enc) !== -1; }
    copy(target, targetStart, sourceStart, sourceEnd) {
      targetStart = targetStart === undefined ? 0 : Math.max(0, targetStart | 0);
      sourceStart = sourceStart === undefined ? 0 : Math.max(0, sourceStart | 0);
      sourceEnd = sourceEnd === undefined ? this.length : Math.min(this.length, sourceEnd | 0);
      const n = Math.min(sourceEnd - sourceStart, target.length - targetStart);
      if (n <= 0) return 0;
      Uint8Array.prototype.set.call(target, Uint8Array.prototype.subarray.call(this, sourceStart, sourceStart + n), targetStart);
      return n;
    }
    fill(value, offset, end, enc) {
      if (typeof offset === "string") { enc = offset; offset = 0; end = this.length; }
      else if (typeof end === "string") { enc = end; end = this.length; }
      offset = offset === undefined ? 0 : offset | 0; end = end === undefined ? this.length : end | 0;
      if (typeof value === "number" || typeof value === "boolean") return Uint8Array.prototype.fill.call(this, Number(value) & 255, offset, end);
      const f = toBytes(value, enc);
      if (!f.length) return Uint8Array.prototype.fill.call(this, 0, offset, end);
      for (let i = offset, k = 0; i < end; i++, k = (k + 1) % f.length) this[i] = f[k];
      return this;
    }
    _view() { return new DataView(this.buffer, this.byteOffset, this.byteLength); }
    _at(o, n) {
      o = o === undefined ? 0 : o;
      if (typeof o !== "number") throw new TypeError(`The "offset" argument must be of type number. Received ${typeof o}`);
      if (o !== Math.floor(o)) throw new RangeError(`The value of "offset" is out of range. It must be an integer. Received ${o}`);
      if (o < 0 || o + n > this.length) throw new RangeError(`The value of "offset" is out of range. It must be >= 0 and <= ${this.length - n}. Received ${o}`);
      return o;
    }
    readUInt8(o) { return this[this._at(o, 1)]; }
    readInt8(o) { return this._view().getInt8(this._at(o, 1)); }
    readUInt16BE(o) { return this._view().getUint16(this._at(o, 2)); }
    readUInt16LE(o) { return this._view().getUint16(this._at(o, 2), true); }
    readInt16BE(o) { return this._view().getInt16(this._at(o, 2)); }
    readInt16LE(o) { return this._view().getInt16(this._at(o, 2), true); }
    readUInt32BE(o) { return this._view().getUint32(this._at(o, 4)); }
    readUInt32LE(o) { return this._view().getUint32(this._at(o, 4), true); }
    readInt32BE(o) { return this._view().getInt32(this._at(o, 4)); }
    readInt32LE(o) { return this._view().getInt32(this._at(o, 4), true); }
    readFloatBE(o) { return this._view().getFloat32(this._at(o, 4)); }
    readFloatLE(o) { return this._view().getFloat32(this._at(o, 4), true); }
    readDoubleBE(o) { return this._view().getFloat64(this._at(o, 8)); }
    readDoubleLE(o) { return this._view().getFloat64(this._at(o, 8), true); }
    readBigUInt64BE(o) { return this._view().getBigUint64(this._at(o, 8)); }
    readBigUInt64LE(o) { return this._view().getBigUint64(this._at(o, 8), true); }
    readBigInt64BE(o) { return this._view().getBigInt64(this._at(o, 8)); }
    readBigInt64LE(o) { return this._view().getBigInt64(this._at(o, 8), true); }
    writeUInt8(v, o) { o = this._at(o, 1); this[o] = v; return o + 1; }
    writeInt8(v, o) { o = this._at(o, 1); this._view().setInt8(o, v); return o + 1; }
    writeUInt16BE(v, o) { o = this._at(o, 2); this._view().setUint16(o, v); return o + 2; }
    writeUInt16LE(v, o) { o = this._at(o, 2); this._view().setUint16(o, v, true); return o + 2; }
    writeInt16BE(v, o) { o = this._at(o, 2); this._view().setInt16(o, v); return o + 2; }
    writeInt16LE(v, o) { o = this._at(o, 2); this._view().setInt16(o, v, true); return o + 2; }
    writeUInt32BE(v, o) { o = this._at(o, 4); this._view().setUint32(o, v); return o + 4; }
    writeUInt32LE(v, o) { o = this._at(o, 4); this._view().setUint32(o, v, true); return o + 4; }
    writeInt32BE(v, o) { o = this._at(o, 4); this._view().setInt32(o, v); return o + 4; }
    writeInt32LE(v, o) { o = this._at(o, 4); this._view().setInt32(o, v, true); return o + 4; }
    writeFloatBE(v, o) { o = this._at(o, 4); this._view().setFloat32(o, v); return o + 4; }
    writeFloatLE(v, o) { o = this._at(o, 4); this._view().setFloat32(o, v, true); return o + 4; }
    writeDoubleBE(v, o) { o = this._at(o, 8); this._view().setFloat64(o, v); return o + 8; }
    writeDoubleLE(v, o) { o = this._at(o, 8); this._view().setFloat64(o, v, true); return o + 8; }
    writeBigUInt64BE(v, o) { o = this._at(o, 8); this._view().setBigUint64(o, v); return o + 8; }
    writeBigUInt64LE(v, o) { o = this._at(o, 8); this._view().setBigUint64(o, v, true); return o + 8; }
    writeBigInt64BE(v, o) { o = this._at(o, 8); this._view().setBigInt64(o, v); return o + 8; }
    writeBigInt64LE(v, o) { o = this._at(o, 8); this._view().setBigInt64(o, v, true); return o + 8; }
  }
  // Node's lower-case aliases (readUint32BE, ...)
  for (const k of Object.getOwnPropertyNames(Buffer.prototype)) {
    if (/^(read|write)UInt/.test(k)) ObjectDefineProperty(Buffer.prototype, k.replace("UInt", "Uint"), { value: Buffer.prototype[k], writable: true, configurable: true });
  }
  function bufferIndexOf(buf, value, byteOffset, enc, forward) {
    if (typeof byteOffset === "string") { enc = byteOffset; byteOffset = undefined; }
    const len = buf.length;
    let from = byteOffset === undefined || byteOffset === null || Number.isNaN(+byteOffset) ? (forward ? 0 : len) : Math.trunc(+byteOffset);
    if (from < 0) from += len;
    let needle;
    if (typeof value === "number") needle = [value & 255];
    else if (typeof value === "string") needle = encodeString(value, enc);
    else if (value instanceof Uint8Array) needle = value;
    else throw new TypeError('The "value" argument must be one of type number or string or an instance of Buffer or Uint8Array.');
    const n = needle.length;
    if (n === 0) return forward ? Math.min(Math.max(from, 0), len) : Math.min(Math.max(from, 0), len);
    if (forward) {
      for (let i = Math.max(from, 0); i <= len - n; i++) {
        if (buf[i] !== needle[0]) continue;
        let k = 1;
        while (k < n && buf[i + k] === needle[k]) k++;
        if (k === n) return i;
      }
    } else {
      for (let i = Math.min(from, len - n); i >= 0; i--) {
        if (buf[i] !== needle[0]) continue;
        let k = 1;
        while (k < n && buf[i + k] === needle[k]) k++;
        if (k === n) return i;
      }
    }
    return -1;
  }
  ObjectDefineProperty(Buffer, Symbol.species, { value: Buffer });

  // ---------------------------------------------------------------- TextEncoder / TextDecoder
  class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(s) { return utf8Encode(s === undefined ? "" : s); }
    encodeInto(s, dest) { const b = utf8Encode(s); const n = Math.min(b.length, dest.length); dest.set(b.subarray(0, n)); return { read: s.length, written: n }; }
  }
  // WHATWG Encoding: latin1, iso-8859-1, ascii and their aliases all mean windows-1252, which maps
  // 0x80-0x9f to these characters (the rest of the bytes are their own code points).
  const W1252 = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
    "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";
  const DECODER_LABELS = {
    "utf-8": "utf-8", utf8: "utf-8", "unicode-1-1-utf-8": "utf-8",
    "windows-1252": "windows-1252", latin1: "windows-1252", "iso-8859-1": "windows-1252", "iso8859-1": "windows-1252", "iso_8859-1": "windows-1252",
    "l1": "windows-1252", "cp1252": "windows-1252", "x-cp1252": "windows-1252", ascii: "windows-1252", "us-ascii": "windows-1252", "cp819": "windows-1252", "ibm819": "windows-1252",
    "utf-16le": "utf-16le", "utf-16": "utf-16le",
  };
  class TextDecoder {
    constructor(label, options) {
      const l = label === undefined ? "utf-8" : String(label).trim().toLowerCase();
      const enc = Object.prototype.hasOwnProperty.call(DECODER_LABELS, l) ? DECODER_LABELS[l] : undefined;
      if (!enc) throw new RangeError(`TextDecoder: unsupported encoding '${label}'`);
      this._enc = enc;
      this.fatal = !!(options && options.fatal);
      this.ignoreBOM = !!(options && options.ignoreBOM);
    }
    get encoding() { return this._enc; }
    decode(input) {
      if (input === undefined) return "";
      let b = toBytes(input);
      if (this._enc === "windows-1252") {
        const s = latin1Decode(b);
        return /[\x80-\x9f]/.test(s) ? s.replace(/[\x80-\x9f]/g, (c) => W1252[c.charCodeAt(0) - 0x80]) : s;
      }
      if (this._enc === "utf-16le") {
        if (!this.ignoreBOM && b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) b = b.subarray(2);
        return decodeBytes(b, "utf16le");
      }
      if (!this.ignoreBOM && b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
      const s = utf8Decode(b);
      if (this.fatal && s.indexOf("\ufffd") >= 0 && utf8Length(s) !== b.length) throw new TypeError("The encoded data was not valid utf-8");
      return s;
    }
  }

  I.bufferModule = { Buffer };
  Object.assign(I, { utf8Encode, utf8Decode, base64Encode, base64Decode, hexEncode, hexDecode, latin1Encode, latin1Decode, normEncoding, encodeString, decodeBytes, toBytes, Buffer, TextEncoder, TextDecoder });
})
