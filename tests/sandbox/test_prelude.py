"""Every prelude global, checked from JS; hashes against published test vectors."""

from __future__ import annotations

import pytest

from sandbox import JSError, ModuleNotAllowed, Sandbox, compile_module

# RFC 1321 (MD5), FIPS 180 examples (SHA-1/256/512).
HASH_VECTORS = [
    ("md5", "", "d41d8cd98f00b204e9800998ecf8427e"),
    ("md5", "abc", "900150983cd24fb0d6963f7d28e17f72"),
    ("md5", "12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
    ("sha1", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
    ("sha1", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
    ("sha256", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ("sha256", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ("sha512", "abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    ("sha512", "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"),
]
# RFC 4231 test cases 1, 2 and 6 (key longer than the block), and RFC 2202 for HMAC-MD5/SHA-1.
HMAC_VECTORS = [
    ("sha256", "0b" * 20, "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    ("sha512", "0b" * 20, "Hi There", "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"),
    ("sha256", "4a656665", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    ("sha512", "4a656665", "what do ya want for nothing?", "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"),
    ("sha256", "aa" * 131, "Test Using Larger Than Block-Size Key - Hash Key First", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ("sha1", "0b" * 20, "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"),
    ("md5", "0b" * 16, "Hi There", "9294727a3638bb1c13f48ef8158bfc9d"),
]


@pytest.mark.parametrize("alg, msg, digest", HASH_VECTORS)
def test_hash_vectors(run, alg: str, msg: str, digest: str) -> None:
    src = "const c = require('crypto'); export default (a, m) => [c.createHash(a).update(m).digest('hex'), crypto.createHash(a).update(m).digest('base64')]"
    hexd, b64 = run(src, alg, msg)
    assert hexd == digest
    import base64

    assert base64.b64decode(b64).hex() == digest


def test_hash_of_many_chunks(run) -> None:
    import hashlib

    src = "export default (a) => { const h = crypto.createHash(a); const s = 'aé'.repeat(500); for (let i = 0; i < 50; i++) h.update(s); return h.digest('hex') }"
    for alg in ("md5", "sha1", "sha256", "sha512"):
        assert run(src, alg) == hashlib.new(alg, ("aé" * 500 * 50).encode()).hexdigest()


@pytest.mark.parametrize("alg, key_hex, msg, digest", HMAC_VECTORS)
def test_hmac_vectors(run, alg: str, key_hex: str, msg: str, digest: str) -> None:
    src = "import {createHmac} from 'crypto'; export default (a, k, m) => createHmac(a, Buffer.from(k, 'hex')).update(m).digest('hex')"
    assert run(src, alg, key_hex, msg) == digest


def test_random_uuid_and_values(run) -> None:
    src = """export default () => {
      const u = crypto.randomUUID(), v = crypto.randomUUID();
      const a = crypto.getRandomValues(new Uint8Array(32));
      return [u, v, Array.from(a), require('crypto').randomBytes(8).length,
              crypto.timingSafeEqual(Buffer.from('ab'), Buffer.from('ab')), crypto.timingSafeEqual(Buffer.from('ab'), Buffer.from('ac'))]
    }"""
    u, v, a, n, eq, ne = run(src)
    import re

    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", u) and u != v
    assert len(set(a)) > 10 and n == 8 and eq is True and ne is False
    assert run(src)[0] != u  # seeded per context from the host


def test_buffer(run) -> None:
    src = """export default () => {
      const b = Buffer.from('héllo €', 'utf8');
      return [b.length, Buffer.byteLength('héllo €'), b.toString('hex'), b.toString('base64'), Buffer.from(b.toString('base64'), 'base64').toString(),
              Buffer.from('68656c6c6f', 'hex').toString(), Buffer.from('aGk_', 'base64url').toString(), Buffer.concat([Buffer.from('a'), Buffer.from('bc')]).toString(),
              Buffer.from('x').equals(Buffer.from('x')), Buffer.isBuffer(b), b.slice(0, 1).toString(), JSON.stringify(Buffer.from([1, 2])), Buffer.alloc(3, 'ab').toString()]
    }"""
    assert run(src) == [10, 10, "68c3a96c6c6f20e282ac", "aMOpbGxvIOKCrA==", "héllo €", "hello", "hi?", "abc", True, True, "h", '{"type":"Buffer","data":[1,2]}', "aba"]


def test_text_encoding_atob_btoa(run) -> None:
    src = """export default () => [Array.from(new TextEncoder().encode('é😀')), new TextDecoder().decode(new Uint8Array([0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80])),
      btoa('hello'), atob('aGVsbG8='), new TextDecoder().decode(new Uint8Array([0xff]))]"""
    assert run(src) == [[0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80], "é😀", "aGVsbG8=", "hello", "\ufffd"]


def test_url_and_search_params(run) -> None:
    src = """import {URL as U} from 'url';
    export default () => {
      const u = new URL('https://user:pw@API.example.com:8443/v1/../v2/items?a=1&b=x%20y#frag');
      u.searchParams.append('c', 'd&e');
      const r = new U('contacts/1?x=1', 'https://api.example.com/v3/');
      const p = new URLSearchParams({q: 'a b', n: 1}); p.append('q', 'ü'); p.sort();
      let bad; try { new URL('not a url') } catch (e) { bad = e instanceof TypeError }
      return [u.protocol, u.hostname, u.port, u.pathname, u.search, u.hash, u.origin, u.username, u.searchParams.get('b'), u.href,
              r.href, p.toString(), p.getAll('q'), [...new URLSearchParams('?x=1&y=2').keys()], bad, new URL('http://h.com:80/').host]
    }"""
    assert run(src) == [
        "https:", "api.example.com", "8443", "/v2/items", "?a=1&b=x+y&c=d%26e", "#frag", "https://api.example.com:8443", "user", "x y",
        "https://user:pw@api.example.com:8443/v2/items?a=1&b=x+y&c=d%26e#frag",
        "https://api.example.com/v3/contacts/1?x=1", "n=1&q=a+b&q=%C3%BC", ["a b", "ü"], ["x", "y"], True, "h.com",
    ]


def test_querystring_and_structured_clone(run) -> None:
    src = """import qs from 'querystring';
    export default () => {
      const o = {d: new Date(0), m: new Map([[1, {a: 1}]]), s: new Set([1]), arr: [1, {b: 2}]}; o.self = o;
      const c = structuredClone(o);
      let fnErr; try { structuredClone({f() {}}) } catch (e) { fnErr = e.name }
      return [qs.parse('a=1&a=2&b=%20x'), qs.stringify({a: 'x y', b: [1, 2]}), c !== o && c.self === c, c.d.getTime(), c.m.get(1).a, c.s.has(1), c.arr[1].b, fnErr]
    }"""
    assert run(src) == [{"a": ["1", "2"], "b": " x"}, "a=x%20y&b=1&b=2", True, 0, 1, True, 2, "DataCloneError"]


def test_fetch_goes_through_the_host_operation(sb: Sandbox) -> None:
    seen = []

    async def fetch_op(payload):
        seen.append(payload)
        return {"status": 201, "statusText": "Created", "headers": {"content-type": "application/json"}, "body": '{"id": 9}'}

    m = compile_module(
        "export default async () => { const r = await fetch('https://api.x/c', {method: 'post', body: {a: 1}, headers: {Authorization: 'k'}});"
        " return [r.status, r.ok, r.statusText, r.headers.get('Content-Type'), await r.json()] }",
        "m.js",
    )
    assert sb.call_sync(m, host_operations={"fetch": fetch_op}).value == [201, True, "Created", "application/json", {"id": 9}]
    assert seen == [{"url": "https://api.x/c", "method": "POST", "headers": {"authorization": "k", "content-type": "application/json"}, "body": '{"a":1}'}]


@pytest.mark.parametrize("name", ["fs", "child_process", "net", "process", "http", "./helper"])
def test_other_modules_fail_naming_the_module(sb: Sandbox, name: str) -> None:
    for src in (f"import x from '{name}'; export default () => 1", f"module.exports = () => require('{name}')"):
        with pytest.raises(ModuleNotAllowed) as info:
            sb.call_sync(compile_module(src, "m.js"))
        assert info.value.module == name and f"'{name}'" in info.value.message and info.value.key == "module_not_allowed"


def test_dynamic_import(sb: Sandbox) -> None:
    ok = compile_module("export default async () => (await import('crypto')).createHash('md5').update('').digest('hex')", "m.js")
    assert sb.call_sync(ok).value == "d41d8cd98f00b204e9800998ecf8427e"
    bad = compile_module("export default async () => { const n = 'f' + 's'; return import(n) }", "m.js")
    with pytest.raises(ModuleNotAllowed) as info:
        sb.call_sync(bad)
    assert info.value.module == "fs"


def test_node_prefix_and_modern_js(run) -> None:
    assert run("const {createHash} = require('node:crypto'); module.exports = () => [typeof createHash, [3, 1, 2].toSorted().at(-1), Object.hasOwn({a: 1}, 'a')]") == ["function", 3, True]


def test_prelude_error_frames_name_the_prelude(sb: Sandbox) -> None:
    with pytest.raises(JSError) as info:
        sb.call_sync(compile_module("export default () => Buffer.from(null)", "m.js"))
    assert "sandbox:lib_encoding.js" in info.value.stack and "m.js:1" in info.value.stack


def test_lazy_globals_behave_like_plain_globals(run) -> None:
    """Prelude globals are made on first use (sandbox/prelude.js): before and after that they
    read, test, assign and delete like ordinary global properties."""
    src = """
    export default () => {
      const seen = [typeof console, 'Buffer' in globalThis, typeof URLSearchParams, typeof nothingHere];
      let threw = null;
      try { nothingHere; } catch (e) { threw = e.name; }
      fetch = 'replaced';                       // sloppy-style assignment before first use
      globalThis.setTimeout = 'set';            // property assignment
      const afterUse = [fetch, setTimeout, typeof Object.getOwnPropertyDescriptor(globalThis, 'console')];
      delete globalThis.console;
      return [seen, threw, afterUse, typeof console, typeof globalThis.TextEncoder, String(globalThis)];
    }
    """
    assert run(src) == [
        ["object", True, "function", "undefined"],
        "ReferenceError",
        ["replaced", "set", "object"],
        "undefined",
        "function",
        "[object global]",
    ]
