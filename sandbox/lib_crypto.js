// Lazily evaluated part of the prelude ("crypto"): evaluated on first use, sharing
// internals through `I` (never reachable from connector code).
(function (I) {
  "use strict";
  const G = globalThis;
  const { JSONstringify, JSONparse, ObjectKeys, ObjectDefineProperty, ArrayIsArray } = I;
  const { Buffer, toBytes, decodeBytes, hexEncode, hexDecode } = I.load("encoding");
  // ---------------------------------------------------------------- crypto: hashes (pure JS)
  function rotl(x, n) { return (x << n) | (x >>> (32 - n)); }
  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }
  function pad(bytes, blockSize, littleEndian) {
    const lenBytes = blockSize === 128 ? 16 : 8;
    const n = bytes.length;
    const total = Math.ceil((n + 1 + lenBytes) / blockSize) * blockSize;
    const out = new Uint8Array(total);
    out.set(bytes);
    out[n] = 0x80;
    const bitsHi = Math.floor(n / 0x20000000), bitsLo = (n * 8) >>> 0;
    if (littleEndian) {
      out[total - 8] = bitsLo; out[total - 7] = bitsLo >>> 8; out[total - 6] = bitsLo >>> 16; out[total - 5] = bitsLo >>> 24;
      out[total - 4] = bitsHi; out[total - 3] = bitsHi >>> 8; out[total - 2] = bitsHi >>> 16; out[total - 1] = bitsHi >>> 24;
    } else {
      out[total - 8] = bitsHi >>> 24; out[total - 7] = bitsHi >>> 16; out[total - 6] = bitsHi >>> 8; out[total - 5] = bitsHi;
      out[total - 4] = bitsLo >>> 24; out[total - 3] = bitsLo >>> 16; out[total - 2] = bitsLo >>> 8; out[total - 1] = bitsLo;
    }
    return out;
  }
  function wordsToBytes(words, littleEndian) {
    const out = new Uint8Array(words.length * 4);
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      if (littleEndian) { out[4 * i] = w; out[4 * i + 1] = w >>> 8; out[4 * i + 2] = w >>> 16; out[4 * i + 3] = w >>> 24; }
      else { out[4 * i] = w >>> 24; out[4 * i + 1] = w >>> 16; out[4 * i + 2] = w >>> 8; out[4 * i + 3] = w; }
    }
    return out;
  }
  const MD5_S = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21];
  const MD5_K = [];
  for (let i = 0; i < 64; i++) MD5_K.push((Math.abs(Math.sin(i + 1)) * 4294967296) | 0);
  function md5(bytes) {
    const m = pad(bytes, 64, true);
    let a0 = 0x67452301, b0 = 0xefcdab89 | 0, c0 = 0x98badcfe | 0, d0 = 0x10325476;
    const M = new Int32Array(16);
    for (let off = 0; off < m.length; off += 64) {
      for (let i = 0; i < 16; i++) M[i] = m[off + 4 * i] | (m[off + 4 * i + 1] << 8) | (m[off + 4 * i + 2] << 16) | (m[off + 4 * i + 3] << 24);
      let A = a0, B = b0, C = c0, D = d0;
      for (let i = 0; i < 64; i++) {
        let F, g;
        if (i < 16) { F = (B & C) | (~B & D); g = i; }
        else if (i < 32) { F = (D & B) | (~D & C); g = (5 * i + 1) & 15; }
        else if (i < 48) { F = B ^ C ^ D; g = (3 * i + 5) & 15; }
        else { F = C ^ (B | ~D); g = (7 * i) & 15; }
        F = (F + A + MD5_K[i] + M[g]) | 0;
        A = D; D = C; C = B; B = (B + rotl(F, MD5_S[i])) | 0;
      }
      a0 = (a0 + A) | 0; b0 = (b0 + B) | 0; c0 = (c0 + C) | 0; d0 = (d0 + D) | 0;
    }
    return wordsToBytes([a0, b0, c0, d0], true);
  }
  function sha1(bytes) {
    const m = pad(bytes, 64, false);
    let h0 = 0x67452301, h1 = 0xefcdab89 | 0, h2 = 0x98badcfe | 0, h3 = 0x10325476, h4 = 0xc3d2e1f0 | 0;
    const W = new Int32Array(80);
    for (let off = 0; off < m.length; off += 64) {
      for (let i = 0; i < 16; i++) W[i] = (m[off + 4 * i] << 24) | (m[off + 4 * i + 1] << 16) | (m[off + 4 * i + 2] << 8) | m[off + 4 * i + 3];
      for (let i = 16; i < 80; i++) W[i] = rotl(W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16], 1);
      let a = h0, b = h1, c = h2, d = h3, e = h4;
      for (let i = 0; i < 80; i++) {
        let f, k;
        if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
        else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
        else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc | 0; }
        else { f = b ^ c ^ d; k = 0xca62c1d6 | 0; }
        const t = (rotl(a, 5) + f + e + k + W[i]) | 0;
        e = d; d = c; c = rotl(b, 30); b = a; a = t;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0; h4 = (h4 + e) | 0;
    }
    return wordsToBytes([h0, h1, h2, h3, h4], false);
  }
  const K256 = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2].map((x) => x | 0);
  function sha256(bytes) {
    const m = pad(bytes, 64, false);
    const H = new Int32Array([0x6a09e667, 0xbb67ae85 | 0, 0x3c6ef372, 0xa54ff53a | 0, 0x510e527f, 0x9b05688c | 0, 0x1f83d9ab, 0x5be0cd19]);
    const W = new Int32Array(64);
    for (let off = 0; off < m.length; off += 64) {
      for (let i = 0; i < 16; i++) W[i] = (m[off + 4 * i] << 24) | (m[off + 4 * i + 1] << 16) | (m[off + 4 * i + 2] << 8) | m[off + 4 * i + 3];
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(W[i - 15], 7) ^ rotr(W[i - 15], 18) ^ (W[i - 15] >>> 3);
        const s1 = rotr(W[i - 2], 17) ^ rotr(W[i - 2], 19) ^ (W[i - 2] >>> 10);
        W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
      }
      let a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (let i = 0; i < 64; i++) {
        const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        const ch = (e & f) ^ (~e & g);
        const t1 = (h + S1 + ch + K256[i] + W[i]) | 0;
        const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        const maj = (a & b) ^ (a & c) ^ (b & c);
        const t2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
    }
    return wordsToBytes(Array.from(H), false);
  }
  // SHA-512 on 32-bit halves (hi, lo), no BigInt: fast enough for signatures of API payloads.
  const K512 = [
    0x428a2f98, 0xd728ae22, 0x71374491, 0x23ef65cd, 0xb5c0fbcf, 0xec4d3b2f, 0xe9b5dba5, 0x8189dbbc, 0x3956c25b, 0xf348b538, 0x59f111f1, 0xb605d019,
    0x923f82a4, 0xaf194f9b, 0xab1c5ed5, 0xda6d8118, 0xd807aa98, 0xa3030242, 0x12835b01, 0x45706fbe, 0x243185be, 0x4ee4b28c, 0x550c7dc3, 0xd5ffb4e2,
    0x72be5d74, 0xf27b896f, 0x80deb1fe, 0x3b1696b1, 0x9bdc06a7, 0x25c71235, 0xc19bf174, 0xcf692694, 0xe49b69c1, 0x9ef14ad2, 0xefbe4786, 0x384f25e3,
    0x0fc19dc6, 0x8b8cd5b5, 0x240ca1cc, 0x77ac9c65, 0x2de92c6f, 0x592b0275, 0x4a7484aa, 0x6ea6e483, 0x5cb0a9dc, 0xbd41fbd4, 0x76f988da, 0x831153b5,
    0x983e5152, 0xee66dfab, 0xa831c66d, 0x2db43210, 0xb00327c8, 0x98fb213f, 0xbf597fc7, 0xbeef0ee4, 0xc6e00bf3, 0x3da88fc2, 0xd5a79147, 0x930aa725,
    0x06ca6351, 0xe003826f, 0x14292967, 0x0a0e6e70, 0x27b70a85, 0x46d22ffc, 0x2e1b2138, 0x5c26c926, 0x4d2c6dfc, 0x5ac42aed, 0x53380d13, 0x9d95b3df,
    0x650a7354, 0x8baf63de, 0x766a0abb, 0x3c77b2a8, 0x81c2c92e, 0x47edaee6, 0x92722c85, 0x1482353b, 0xa2bfe8a1, 0x4cf10364, 0xa81a664b, 0xbc423001,
    0xc24b8b70, 0xd0f89791, 0xc76c51a3, 0x0654be30, 0xd192e819, 0xd6ef5218, 0xd6990624, 0x5565a910, 0xf40e3585, 0x5771202a, 0x106aa070, 0x32bbd1b8,
    0x19a4c116, 0xb8d2d0c8, 0x1e376c08, 0x5141ab53, 0x2748774c, 0xdf8eeb99, 0x34b0bcb5, 0xe19b48a8, 0x391c0cb3, 0xc5c95a63, 0x4ed8aa4a, 0xe3418acb,
    0x5b9cca4f, 0x7763e373, 0x682e6ff3, 0xd6b2b8a3, 0x748f82ee, 0x5defb2fc, 0x78a5636f, 0x43172f60, 0x84c87814, 0xa1f0ab72, 0x8cc70208, 0x1a6439ec,
    0x90befffa, 0x23631e28, 0xa4506ceb, 0xde82bde9, 0xbef9a3f7, 0xb2c67915, 0xc67178f2, 0xe372532b, 0xca273ece, 0xea26619c, 0xd186b8c7, 0x21c0c207,
    0xeada7dd6, 0xcde0eb1e, 0xf57d4f7f, 0xee6ed178, 0x06f067aa, 0x72176fba, 0x0a637dc5, 0xa2c898a6, 0x113f9804, 0xbef90dae, 0x1b710b35, 0x131c471b,
    0x28db77f5, 0x23047d84, 0x32caab7b, 0x40c72493, 0x3c9ebe0a, 0x15c9bebc, 0x431d67c4, 0x9c100d4c, 0x4cc5d4be, 0xcb3e42b6, 0x597f299c, 0xfc657e2a,
    0x5fcb6fab, 0x3ad6faec, 0x6c44198c, 0x4a475817].map((x) => x | 0);
  function sha512(bytes) {
    const m = pad(bytes, 128, false);
    const H = new Int32Array([0x6a09e667, 0xf3bcc908, 0xbb67ae85, 0x84caa73b, 0x3c6ef372, 0xfe94f82b, 0xa54ff53a, 0x5f1d36f1,
      0x510e527f, 0xade682d1, 0x9b05688c, 0x2b3e6c1f, 0x1f83d9ab, 0xfb41bd6b, 0x5be0cd19, 0x137e2179].map((x) => x | 0));
    const W = new Int32Array(160);
    for (let off = 0; off < m.length; off += 128) {
      for (let i = 0; i < 32; i++) W[i] = (m[off + 4 * i] << 24) | (m[off + 4 * i + 1] << 16) | (m[off + 4 * i + 2] << 8) | m[off + 4 * i + 3];
      for (let i = 16; i < 80; i++) {
        // s0 = rotr(w15,1) ^ rotr(w15,8) ^ shr(w15,7)
        const xh = W[2 * (i - 15)], xl = W[2 * (i - 15) + 1];
        const s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
        const s0l = ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^ ((xl >>> 7) | (xh << 25));
        // s1 = rotr(w2,19) ^ rotr(w2,61) ^ shr(w2,6)
        const yh = W[2 * (i - 2)], yl = W[2 * (i - 2) + 1];
        const s1h = ((yh >>> 19) | (yl << 13)) ^ ((yl >>> 29) | (yh << 3)) ^ (yh >>> 6);
        const s1l = ((yl >>> 19) | (yh << 13)) ^ ((yh >>> 29) | (yl << 3)) ^ ((yl >>> 6) | (yh << 26));
        let lo = (s0l >>> 0) + (s1l >>> 0) + (W[2 * (i - 7) + 1] >>> 0) + (W[2 * (i - 16) + 1] >>> 0);
        let hi = s0h + s1h + W[2 * (i - 7)] + W[2 * (i - 16)] + Math.floor(lo / 4294967296);
        W[2 * i] = hi | 0; W[2 * i + 1] = lo | 0;
      }
      let ah = H[0], al = H[1], bh = H[2], bl = H[3], ch = H[4], cl = H[5], dh = H[6], dl = H[7];
      let eh = H[8], el = H[9], fh = H[10], fl = H[11], gh = H[12], gl = H[13], hh = H[14], hl = H[15];
      for (let i = 0; i < 80; i++) {
        // S1 = rotr(e,14) ^ rotr(e,18) ^ rotr(e,41)
        const S1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
        const S1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
        const chh = (eh & fh) ^ (~eh & gh), chl = (el & fl) ^ (~el & gl);
        let t1l = (hl >>> 0) + (S1l >>> 0) + (chl >>> 0) + (K512[2 * i + 1] >>> 0) + (W[2 * i + 1] >>> 0);
        let t1h = hh + S1h + chh + K512[2 * i] + W[2 * i] + Math.floor(t1l / 4294967296);
        t1l = t1l | 0; t1h = t1h | 0;
        // S0 = rotr(a,28) ^ rotr(a,34) ^ rotr(a,39)
        const S0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
        const S0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
        const mjh = (ah & bh) ^ (ah & ch) ^ (bh & ch), mjl = (al & bl) ^ (al & cl) ^ (bl & cl);
        let t2l = (S0l >>> 0) + (mjl >>> 0);
        let t2h = S0h + mjh + Math.floor(t2l / 4294967296);
        hh = gh; hl = gl; gh = fh; gl = fl; fh = eh; fl = el;
        let el2 = (dl >>> 0) + (t1l >>> 0);
        eh = (dh + t1h + Math.floor(el2 / 4294967296)) | 0; el = el2 | 0;
        dh = ch; dl = cl; ch = bh; cl = bl; bh = ah; bl = al;
        let al2 = (t1l >>> 0) + (t2l >>> 0);
        ah = (t1h + t2h + Math.floor(al2 / 4294967296)) | 0; al = al2 | 0;
      }
      const add = (i, h, l) => { const s = (H[i + 1] >>> 0) + (l >>> 0); H[i] = (H[i] + h + Math.floor(s / 4294967296)) | 0; H[i + 1] = s | 0; };
      add(0, ah, al); add(2, bh, bl); add(4, ch, cl); add(6, dh, dl); add(8, eh, el); add(10, fh, fl); add(12, gh, gl); add(14, hh, hl);
    }
    return wordsToBytes(Array.from(H), false);
  }
  const HASHES = {
    md5: [md5, 64], sha1: [sha1, 64], sha256: [sha256, 64], sha512: [sha512, 128],
  };
  function hashAlgorithm(name) {
    const n = String(name).toLowerCase().replace("-", "");
    const h = HASHES[n];
    if (!h) throw new Error(`Digest method not supported: ${name} (available: md5, sha1, sha256, sha512)`);
    return h;
  }
  function concatChunks(chunks) {
    let n = 0; for (const c of chunks) n += c.length;
    const out = new Uint8Array(n); let o = 0;
    for (const c of chunks) { out.set(c, o); o += c.length; }
    return out;
  }
  function digestOut(bytes, enc) { return enc === undefined ? Buffer._wrap(bytes) : decodeBytes(bytes, enc); }
  class Hash {
    constructor(algorithm) { this._alg = hashAlgorithm(algorithm); this._chunks = []; this._done = false; }
    update(data, enc) {
      if (this._done) throw new Error("Digest already called");
      this._chunks.push(Uint8Array.from(toBytes(data, enc))); return this;
    }
    digest(enc) {
      if (this._done) throw new Error("Digest already called");
      this._done = true;
      return digestOut(this._alg[0](concatChunks(this._chunks)), enc);
    }
  }
  function hmacBytes(alg, key, msg) {
    const [fn, block] = alg;
    if (key.length > block) key = fn(key);
    const k = new Uint8Array(block); k.set(key);
    const ipad = new Uint8Array(block + msg.length), opad = new Uint8Array(block);
    for (let i = 0; i < block; i++) { ipad[i] = k[i] ^ 0x36; opad[i] = k[i] ^ 0x5c; }
    ipad.set(msg, block);
    const inner = fn(ipad);
    const o = new Uint8Array(block + inner.length); o.set(opad); o.set(inner, block);
    return fn(o);
  }
  class Hmac {
    constructor(algorithm, key) { this._alg = hashAlgorithm(algorithm); this._key = Uint8Array.from(toBytes(key)); this._chunks = []; this._done = false; }
    update(data, enc) { if (this._done) throw new Error("Digest already called"); this._chunks.push(Uint8Array.from(toBytes(data, enc))); return this; }
    digest(enc) {
      if (this._done) throw new Error("Digest already called");
      this._done = true;
      return digestOut(hmacBytes(this._alg, this._key, concatChunks(this._chunks)), enc);
    }
  }

  // Randomness: a hash-based generator keyed with bytes the host passes in for this context
  // (os.urandom), never Math.random.
  let rngKey = null, rngCounter = 0, rngPool = new Uint8Array(0), rngPos = 0;
  function randomFill(u8) {
    if (!rngKey) rngKey = hexDecode(I.seed);
    if (!rngKey) throw new Error("sandbox random source is not seeded");
    for (let i = 0; i < u8.length; i++) {
      if (rngPos >= rngPool.length) {
        const c = new Uint8Array(rngKey.length + 4);
        c.set(rngKey); c[rngKey.length] = rngCounter >>> 24; c[rngKey.length + 1] = rngCounter >>> 16; c[rngKey.length + 2] = rngCounter >>> 8; c[rngKey.length + 3] = rngCounter;
        rngCounter++;
        rngPool = hmacBytes(HASHES.sha256, rngKey, c); rngPos = 0;
      }
      u8[i] = rngPool[rngPos++];
    }
    return u8;
  }
  function getRandomValues(arr) {
    if (!ArrayBuffer.isView(arr) || arr instanceof Float32Array || arr instanceof Float64Array || arr instanceof DataView) throw new TypeError("getRandomValues: argument must be an integer TypedArray");
    if (arr.byteLength > 65536) throw new DOMException("getRandomValues: at most 65536 bytes", "QuotaExceededError");
    randomFill(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    return arr;
  }
  function randomUUID() {
    const b = randomFill(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = hexEncode(b);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  function randomBytes(n, cb) {
    const b = randomFill(Buffer.alloc(n >>> 0));
    if (typeof cb === "function") { I.load("timers").setTimeout(() => cb(null, b), 0); return undefined; }
    return b;
  }
  function timingSafeEqual(a, b) {
    const x = toBytes(a), y = toBytes(b);
    if (x.length !== y.length) throw new RangeError("Input buffers must have the same byte length");
    let d = 0;
    for (let i = 0; i < x.length; i++) d |= x[i] ^ y[i];
    return d === 0;
  }
  const cryptoModule = {
    createHash: (alg) => new Hash(alg),
    createHmac: (alg, key) => new Hmac(alg, key),
    getHashes: () => ObjectKeys(HASHES),
    randomUUID, getRandomValues, randomBytes, timingSafeEqual,
  };
  cryptoModule.webcrypto = { getRandomValues, randomUUID };

  Object.assign(I, { cryptoModule, cryptoGlobal: Object.assign({}, cryptoModule) });
})
