// Lazily evaluated part of the prelude ("crypto"): evaluated on first use, sharing
// internals through `I` (never reachable from connector code).
(function (I) {
  "use strict";
  const G = globalThis;
  const { JSONstringify, JSONparse, ObjectKeys, ObjectDefineProperty, ArrayIsArray } = I;
  const { Buffer, toBytes, decodeBytes, hexEncode, hexDecode } = I.load("encoding");
  // ---------------------------------------------------------------- crypto: hashes (pure JS)
  // Written for an interpreter (QuickJS has no JIT): each compress function runs every whole block
  // of a byte range in one call, state in locals, int32 arithmetic (`| 0`), rotations written out
  // (no helper calls), a preallocated message schedule; `update` hashes the caller's bytes where
  // they are and keeps only a partial block, so a 1 MB upload is hashed without copies.
  // The compress functions are source text compiled on first use of their algorithm (with the
  // global eval captured when this part loads): compiling all four costs ~2 ms, more than the
  // rest of this file, and a call mostly hashes with one.
  const evalSource = G.eval;
  const CORES = {
    md5: String.raw`(function () {
  "use strict";
  const MD5_K = new Int32Array(64), MD5_G = new Uint8Array(64); // round constants, message word per step
  for (let i = 0; i < 64; i++) {
    MD5_K[i] = (Math.abs(Math.sin(i + 1)) * 4294967296) | 0;
    MD5_G[i] = i < 16 ? i : i < 32 ? (5 * i + 1) & 15 : i < 48 ? (3 * i + 5) & 15 : (7 * i) & 15;
  }
  function md5Blocks(H, M, p, off, end) {
    // var, not let: QuickJS checks a let binding's initialisation at every read.
    var K = MD5_K, G = MD5_G, a0 = H[0], b0 = H[1], c0 = H[2], d0 = H[3], a, b, c, d, x, i, j;
    for (; off + 64 <= end; off += 64) {
      for (i = 0, j = off; i < 16; i++, j += 4) M[i] = p[j] | (p[j + 1] << 8) | (p[j + 2] << 16) | (p[j + 3] << 24);
      a = a0; b = b0; c = c0; d = d0;
      for (i = 0; i < 16; i += 4) {
        x = (a + (d ^ (b & (c ^ d))) + K[i] + M[i]) | 0; a = (b + ((x << 7) | (x >>> 25))) | 0;
        x = (d + (c ^ (a & (b ^ c))) + K[i + 1] + M[i + 1]) | 0; d = (a + ((x << 12) | (x >>> 20))) | 0;
        x = (c + (b ^ (d & (a ^ b))) + K[i + 2] + M[i + 2]) | 0; c = (d + ((x << 17) | (x >>> 15))) | 0;
        x = (b + (a ^ (c & (d ^ a))) + K[i + 3] + M[i + 3]) | 0; b = (c + ((x << 22) | (x >>> 10))) | 0;
      }
      for (; i < 32; i += 4) {
        x = (a + (c ^ (d & (b ^ c))) + K[i] + M[G[i]]) | 0; a = (b + ((x << 5) | (x >>> 27))) | 0;
        x = (d + (b ^ (c & (a ^ b))) + K[i + 1] + M[G[i + 1]]) | 0; d = (a + ((x << 9) | (x >>> 23))) | 0;
        x = (c + (a ^ (b & (d ^ a))) + K[i + 2] + M[G[i + 2]]) | 0; c = (d + ((x << 14) | (x >>> 18))) | 0;
        x = (b + (d ^ (a & (c ^ d))) + K[i + 3] + M[G[i + 3]]) | 0; b = (c + ((x << 20) | (x >>> 12))) | 0;
      }
      for (; i < 48; i += 4) {
        x = (a + (b ^ c ^ d) + K[i] + M[G[i]]) | 0; a = (b + ((x << 4) | (x >>> 28))) | 0;
        x = (d + (a ^ b ^ c) + K[i + 1] + M[G[i + 1]]) | 0; d = (a + ((x << 11) | (x >>> 21))) | 0;
        x = (c + (d ^ a ^ b) + K[i + 2] + M[G[i + 2]]) | 0; c = (d + ((x << 16) | (x >>> 16))) | 0;
        x = (b + (c ^ d ^ a) + K[i + 3] + M[G[i + 3]]) | 0; b = (c + ((x << 23) | (x >>> 9))) | 0;
      }
      for (; i < 64; i += 4) {
        x = (a + (c ^ (b | ~d)) + K[i] + M[G[i]]) | 0; a = (b + ((x << 6) | (x >>> 26))) | 0;
        x = (d + (b ^ (a | ~c)) + K[i + 1] + M[G[i + 1]]) | 0; d = (a + ((x << 10) | (x >>> 22))) | 0;
        x = (c + (a ^ (d | ~b)) + K[i + 2] + M[G[i + 2]]) | 0; c = (d + ((x << 15) | (x >>> 17))) | 0;
        x = (b + (d ^ (c | ~a)) + K[i + 3] + M[G[i + 3]]) | 0; b = (c + ((x << 21) | (x >>> 11))) | 0;
      }
      a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0;
    }
    H[0] = a0; H[1] = b0; H[2] = c0; H[3] = d0;
  }
  return md5Blocks;
})()`,
    sha1: String.raw`(function () {
  "use strict";
  // Five steps per iteration with the variables' roles rotating, so no step shuffles five values.
  function sha1Blocks(H, W, p, off, end) {
    var h0 = H[0], h1 = H[1], h2 = H[2], h3 = H[3], h4 = H[4], a, b, c, d, e, x, i, j;
    for (; off + 64 <= end; off += 64) {
      for (i = 0, j = off; i < 16; i++, j += 4) W[i] = (p[j] << 24) | (p[j + 1] << 16) | (p[j + 2] << 8) | p[j + 3];
      for (; i < 80; i++) { x = W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16]; W[i] = (x << 1) | (x >>> 31); }
      a = h0; b = h1; c = h2; d = h3; e = h4;
      for (i = 0; i < 20; i += 5) {
        e = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + W[i]) | 0; b = (b << 30) | (b >>> 2);
        d = (((e << 5) | (e >>> 27)) + (c ^ (a & (b ^ c))) + d + 0x5a827999 + W[i + 1]) | 0; a = (a << 30) | (a >>> 2);
        c = (((d << 5) | (d >>> 27)) + (b ^ (e & (a ^ b))) + c + 0x5a827999 + W[i + 2]) | 0; e = (e << 30) | (e >>> 2);
        b = (((c << 5) | (c >>> 27)) + (a ^ (d & (e ^ a))) + b + 0x5a827999 + W[i + 3]) | 0; d = (d << 30) | (d >>> 2);
        a = (((b << 5) | (b >>> 27)) + (e ^ (c & (d ^ e))) + a + 0x5a827999 + W[i + 4]) | 0; c = (c << 30) | (c >>> 2);
      }
      for (; i < 40; i += 5) {
        e = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + W[i]) | 0; b = (b << 30) | (b >>> 2);
        d = (((e << 5) | (e >>> 27)) + (a ^ b ^ c) + d + 0x6ed9eba1 + W[i + 1]) | 0; a = (a << 30) | (a >>> 2);
        c = (((d << 5) | (d >>> 27)) + (e ^ a ^ b) + c + 0x6ed9eba1 + W[i + 2]) | 0; e = (e << 30) | (e >>> 2);
        b = (((c << 5) | (c >>> 27)) + (d ^ e ^ a) + b + 0x6ed9eba1 + W[i + 3]) | 0; d = (d << 30) | (d >>> 2);
        a = (((b << 5) | (b >>> 27)) + (c ^ d ^ e) + a + 0x6ed9eba1 + W[i + 4]) | 0; c = (c << 30) | (c >>> 2);
      }
      for (; i < 60; i += 5) {
        e = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e - 0x70e44324 + W[i]) | 0; b = (b << 30) | (b >>> 2);
        d = (((e << 5) | (e >>> 27)) + ((a & b) | (c & (a | b))) + d - 0x70e44324 + W[i + 1]) | 0; a = (a << 30) | (a >>> 2);
        c = (((d << 5) | (d >>> 27)) + ((e & a) | (b & (e | a))) + c - 0x70e44324 + W[i + 2]) | 0; e = (e << 30) | (e >>> 2);
        b = (((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + b - 0x70e44324 + W[i + 3]) | 0; d = (d << 30) | (d >>> 2);
        a = (((b << 5) | (b >>> 27)) + ((c & d) | (e & (c | d))) + a - 0x70e44324 + W[i + 4]) | 0; c = (c << 30) | (c >>> 2);
      }
      for (; i < 80; i += 5) {
        e = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e - 0x359d3e2a + W[i]) | 0; b = (b << 30) | (b >>> 2);
        d = (((e << 5) | (e >>> 27)) + (a ^ b ^ c) + d - 0x359d3e2a + W[i + 1]) | 0; a = (a << 30) | (a >>> 2);
        c = (((d << 5) | (d >>> 27)) + (e ^ a ^ b) + c - 0x359d3e2a + W[i + 2]) | 0; e = (e << 30) | (e >>> 2);
        b = (((c << 5) | (c >>> 27)) + (d ^ e ^ a) + b - 0x359d3e2a + W[i + 3]) | 0; d = (d << 30) | (d >>> 2);
        a = (((b << 5) | (b >>> 27)) + (c ^ d ^ e) + a - 0x359d3e2a + W[i + 4]) | 0; c = (c << 30) | (c >>> 2);
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0; h4 = (h4 + e) | 0;
    }
    H[0] = h0; H[1] = h1; H[2] = h2; H[3] = h3; H[4] = h4;
  }
  return sha1Blocks;
})()`,
    sha256: String.raw`(function () {
  "use strict";
  const K256 = new Int32Array([0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
  // Eight rounds per iteration with the variables' roles rotating (no eight-value shuffle per round).
  function sha256Blocks(H, W, p, off, end) {
    var K = K256, h0 = H[0], h1 = H[1], h2 = H[2], h3 = H[3], h4 = H[4], h5 = H[5], h6 = H[6], h7 = H[7];
    var a, b, c, d, e, f, g, h, t, x, y, i, j;
    for (; off + 64 <= end; off += 64) {
      for (i = 0, j = off; i < 16; i++, j += 4) W[i] = (p[j] << 24) | (p[j + 1] << 16) | (p[j + 2] << 8) | p[j + 3];
      for (; i < 64; i++) {
        x = W[i - 15]; y = W[i - 2];
        W[i] = ((((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + W[i - 7] + W[i - 16]) | 0;
      }
      a = h0; b = h1; c = h2; d = h3; e = h4; f = h5; g = h6; h = h7;
      for (i = 0; i < 64; i += 8) {
        t = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + (g ^ (e & (f ^ g))) + K[i] + W[i]) | 0;
        d = (d + t) | 0; h = (t + (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) | (c & (a | b)))) | 0;
        t = (g + (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + (f ^ (d & (e ^ f))) + K[i + 1] + W[i + 1]) | 0;
        c = (c + t) | 0; g = (t + (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) | (b & (h | a)))) | 0;
        t = (f + (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + (e ^ (c & (d ^ e))) + K[i + 2] + W[i + 2]) | 0;
        b = (b + t) | 0; f = (t + (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) | (a & (g | h)))) | 0;
        t = (e + (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) + (d ^ (b & (c ^ d))) + K[i + 3] + W[i + 3]) | 0;
        a = (a + t) | 0; e = (t + (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) | (h & (f | g)))) | 0;
        t = (d + (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + (c ^ (a & (b ^ c))) + K[i + 4] + W[i + 4]) | 0;
        h = (h + t) | 0; d = (t + (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) | (g & (e | f)))) | 0;
        t = (c + (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + (b ^ (h & (a ^ b))) + K[i + 5] + W[i + 5]) | 0;
        g = (g + t) | 0; c = (t + (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) | (f & (d | e)))) | 0;
        t = (b + (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + (a ^ (g & (h ^ a))) + K[i + 6] + W[i + 6]) | 0;
        f = (f + t) | 0; b = (t + (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) | (e & (c | d)))) | 0;
        t = (a + (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + (h ^ (f & (g ^ h))) + K[i + 7] + W[i + 7]) | 0;
        e = (e + t) | 0; a = (t + (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) + ((b & c) | (d & (b | c)))) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
    }
    H[0] = h0; H[1] = h1; H[2] = h2; H[3] = h3; H[4] = h4; H[5] = h5; H[6] = h6; H[7] = h7;
  }
  return sha256Blocks;
})()`,
    sha512: String.raw`(function () {
  "use strict";
  // SHA-512 on 32-bit halves (hi, lo; no BigInt): W and K interleave hi/lo, a carry is the part of
  // a sum of unsigned lows above 2^32.
  const K512 = new Int32Array([
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
    0x5fcb6fab, 0x3ad6faec, 0x6c44198c, 0x4a475817]);
  function sha512Blocks(H, W, p, off, end) {
    var K = K512, l, i, j, xh, xl, s0h, s0l, s1h, s1l, S0h, S0l, S1h, S1l, t1h, t1l, nh;
    var ah, al, bh, bl, ch, cl, dh, dl, eh, el, fh, fl, gh, gl, hh, hl;
    for (; off + 128 <= end; off += 128) {
      for (i = 0, j = off; i < 32; i++, j += 4) W[i] = (p[j] << 24) | (p[j + 1] << 16) | (p[j + 2] << 8) | p[j + 3];
      for (i = 32; i < 160; i += 2) {
        xh = W[i - 30]; xl = W[i - 29]; // s0(w[t-15]) = rotr1 ^ rotr8 ^ shr7
        s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
        s0l = ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^ ((xl >>> 7) | (xh << 25));
        xh = W[i - 4]; xl = W[i - 3]; // s1(w[t-2]) = rotr19 ^ rotr61 ^ shr6
        s1h = ((xh >>> 19) | (xl << 13)) ^ ((xl >>> 29) | (xh << 3)) ^ (xh >>> 6);
        s1l = ((xl >>> 19) | (xh << 13)) ^ ((xh >>> 29) | (xl << 3)) ^ ((xl >>> 6) | (xh << 26));
        l = (s0l >>> 0) + (s1l >>> 0) + (W[i - 13] >>> 0) + (W[i - 31] >>> 0);
        W[i] = (s0h + s1h + W[i - 14] + W[i - 32] + ((l / 4294967296) | 0)) | 0; W[i + 1] = l | 0;
      }
      ah = H[0]; al = H[1]; bh = H[2]; bl = H[3]; ch = H[4]; cl = H[5]; dh = H[6]; dl = H[7];
      eh = H[8]; el = H[9]; fh = H[10]; fl = H[11]; gh = H[12]; gl = H[13]; hh = H[14]; hl = H[15];
      for (i = 0; i < 160; i += 2) {
        // t1 = h + S1(e) + Ch(e, f, g) + K + W, S1 = rotr14 ^ rotr18 ^ rotr41
        S1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
        S1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
        l = (hl >>> 0) + (S1l >>> 0) + ((gl ^ (el & (fl ^ gl))) >>> 0) + (K[i + 1] >>> 0) + (W[i + 1] >>> 0);
        t1h = (hh + S1h + (gh ^ (eh & (fh ^ gh))) + K[i] + W[i] + ((l / 4294967296) | 0)) | 0; t1l = l | 0;
        // t2 = S0(a) + Maj(a, b, c), S0 = rotr28 ^ rotr34 ^ rotr39
        S0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
        S0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
        hh = gh; hl = gl; gh = fh; gl = fl; fh = eh; fl = el;
        l = (dl >>> 0) + (t1l >>> 0);
        eh = (dh + t1h + ((l / 4294967296) | 0)) | 0; el = l | 0;
        l = (t1l >>> 0) + (S0l >>> 0) + (((al & bl) | (cl & (al | bl))) >>> 0);
        nh = (t1h + S0h + ((ah & bh) | (ch & (ah | bh))) + ((l / 4294967296) | 0)) | 0;
        dh = ch; dl = cl; ch = bh; cl = bl; bh = ah; bl = al; ah = nh; al = l | 0;
      }
      l = (H[1] >>> 0) + (al >>> 0); H[0] = (H[0] + ah + ((l / 4294967296) | 0)) | 0; H[1] = l | 0;
      l = (H[3] >>> 0) + (bl >>> 0); H[2] = (H[2] + bh + ((l / 4294967296) | 0)) | 0; H[3] = l | 0;
      l = (H[5] >>> 0) + (cl >>> 0); H[4] = (H[4] + ch + ((l / 4294967296) | 0)) | 0; H[5] = l | 0;
      l = (H[7] >>> 0) + (dl >>> 0); H[6] = (H[6] + dh + ((l / 4294967296) | 0)) | 0; H[7] = l | 0;
      l = (H[9] >>> 0) + (el >>> 0); H[8] = (H[8] + eh + ((l / 4294967296) | 0)) | 0; H[9] = l | 0;
      l = (H[11] >>> 0) + (fl >>> 0); H[10] = (H[10] + fh + ((l / 4294967296) | 0)) | 0; H[11] = l | 0;
      l = (H[13] >>> 0) + (gl >>> 0); H[12] = (H[12] + gh + ((l / 4294967296) | 0)) | 0; H[13] = l | 0;
      l = (H[15] >>> 0) + (hl >>> 0); H[14] = (H[14] + hh + ((l / 4294967296) | 0)) | 0; H[15] = l | 0;
    }
  }
  return sha512Blocks;
})()`,
  };
  const compiled = Object.create(null);
  function core(name) { return compiled[name] || (compiled[name] = evalSource(CORES[name])); }
  // name: compress function's name, block bytes, schedule words, little-endian, initial state
  const HASHES = {
    md5: ["md5", 64, 16, true, [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]],
    sha1: ["sha1", 64, 80, false, [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]],
    sha256: ["sha256", 64, 64, false, [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]],
    sha512: ["sha512", 128, 160, false, [0x6a09e667, 0xf3bcc908, 0xbb67ae85, 0x84caa73b, 0x3c6ef372, 0xfe94f82b, 0xa54ff53a, 0x5f1d36f1,
      0x510e527f, 0xade682d1, 0x9b05688c, 0x2b3e6c1f, 0x1f83d9ab, 0xfb41bd6b, 0x5be0cd19, 0x137e2179]],
  };
  function hashAlgorithm(name) {
    const n = String(name).toLowerCase().replace("-", "");
    const h = Object.prototype.hasOwnProperty.call(HASHES, n) ? HASHES[n] : undefined;
    if (!h) throw new Error(`Digest method not supported: ${name} (available: md5, sha1, sha256, sha512)`);
    return h;
  }
  // Incremental state of one hash: whole blocks are compressed straight from the input, only a
  // partial block is kept (in `buf`), and `total` counts bytes for the length in the padding.
  class HashState {
    constructor(alg, from) {
      this.alg = alg;
      this.compress = core(alg[0]);
      this.H = from ? Int32Array.from(from.H) : Int32Array.from(alg[4]);
      this.W = new Int32Array(alg[2]);
      this.buf = from ? Uint8Array.from(from.buf) : new Uint8Array(alg[1]);
      this.n = from ? from.n : 0;
      this.total = from ? from.total : 0;
    }
    update(p) {
      const size = this.alg[1], compress = this.compress, end = p.length;
      let off = 0;
      this.total += end;
      if (this.n > 0) {
        off = Math.min(size - this.n, end);
        this.buf.set(off === end ? p : p.subarray(0, off), this.n);
        this.n += off;
        if (this.n < size) return;
        compress(this.H, this.W, this.buf, 0, size);
        this.n = 0;
      }
      const whole = end - ((end - off) % size);
      if (whole > off) compress(this.H, this.W, p, off, whole);
      if (whole < end) { this.buf.set(p.subarray(whole, end), 0); this.n = end - whole; }
    }
    finish() {
      const compress = this.compress, size = this.alg[1], le = this.alg[3], buf = this.buf, H = this.H;
      let n = this.n;
      buf[n++] = 0x80;
      if (n > size - (size === 128 ? 16 : 8)) { buf.fill(0, n); compress(H, this.W, buf, 0, size); n = 0; }
      buf.fill(0, n);
      const hi = Math.floor(this.total / 0x20000000), lo = (this.total * 8) >>> 0; // length in bits
      if (le) {
        buf[size - 8] = lo; buf[size - 7] = lo >>> 8; buf[size - 6] = lo >>> 16; buf[size - 5] = lo >>> 24;
        buf[size - 4] = hi; buf[size - 3] = hi >>> 8; buf[size - 2] = hi >>> 16; buf[size - 1] = hi >>> 24;
      } else {
        buf[size - 8] = hi >>> 24; buf[size - 7] = hi >>> 16; buf[size - 6] = hi >>> 8; buf[size - 5] = hi;
        buf[size - 4] = lo >>> 24; buf[size - 3] = lo >>> 16; buf[size - 2] = lo >>> 8; buf[size - 1] = lo;
      }
      compress(H, this.W, buf, 0, size);
      const out = new Uint8Array(H.length * 4);
      for (let i = 0, j = 0; i < H.length; i++, j += 4) {
        const w = H[i];
        if (le) { out[j] = w; out[j + 1] = w >>> 8; out[j + 2] = w >>> 16; out[j + 3] = w >>> 24; }
        else { out[j] = w >>> 24; out[j + 1] = w >>> 16; out[j + 2] = w >>> 8; out[j + 3] = w; }
      }
      return out;
    }
  }
  function hashBytes(alg, bytes) { const s = new HashState(alg); s.update(bytes); return s.finish(); }
  function digestOut(bytes, enc) { return enc === undefined ? Buffer._wrap(bytes) : decodeBytes(bytes, enc); }
  class Hash {
    constructor(algorithm, _from) {
      this._state = _from ? new HashState(_from.alg, _from) : new HashState(hashAlgorithm(algorithm));
      this._done = false;
    }
    update(data, enc) {
      if (this._done) throw new Error("Digest already called");
      this._state.update(toBytes(data, enc));
      return this;
    }
    digest(enc) {
      if (this._done) throw new Error("Digest already called");
      this._done = true;
      return digestOut(this._state.finish(), enc);
    }
    copy() {
      if (this._done) throw new Error("Digest already called");
      return new Hash(null, this._state);
    }
  }
  // HMAC (RFC 2104): the inner hash starts with key ^ ipad and takes the data as it comes.
  class Hmac {
    constructor(algorithm, key) {
      const alg = hashAlgorithm(algorithm), block = alg[1];
      let k = toBytes(key);
      if (k.length > block) k = hashBytes(alg, k);
      const ipad = new Uint8Array(block), opad = new Uint8Array(block);
      for (let i = 0; i < block; i++) { const x = i < k.length ? k[i] : 0; ipad[i] = x ^ 0x36; opad[i] = x ^ 0x5c; }
      this._alg = alg; this._opad = opad;
      this._inner = new HashState(alg);
      this._inner.update(ipad);
      this._done = false;
    }
    update(data, enc) {
      if (this._done) throw new Error("Digest already called");
      this._inner.update(toBytes(data, enc));
      return this;
    }
    digest(enc) {
      if (this._done) throw new Error("Digest already called");
      this._done = true;
      const outer = new HashState(this._alg);
      outer.update(this._opad);
      outer.update(this._inner.finish());
      return digestOut(outer.finish(), enc);
    }
  }
  function hmacBytes(name, key, msg) { return new Hmac(name, key).update(msg).digest(); }

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
        rngPool = hmacBytes("sha256", rngKey, c); rngPos = 0;
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
