"""Node compatibility found missing by the sandbox audit: rewrite edge cases, hashing speed and
incremental updates, URL details (file paths, IDN, empty query/fragment, legacy url.parse), Buffer
search/copy/integer access and latin1 decoding."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from sandbox import JSSyntaxError, Limits, compile_module

# ---------------------------------------------------------------------------------- rewrite


@pytest.mark.parametrize(
    "source, expected",
    [
        # a keyword after `.` / `?.` is a property name: the `/` after it divides
        ("const o = {return: 4}; const v = o.return / 2; export default () => v / 1", 2),
        ("const o = {in: 6}; const v = o.in / 2; export default () => v / 1", 3),
        ("const o = {typeof: 8}; const v = o?.typeof / 2; export default () => v / 1", 4),
        ("const o = {await: 10}; const v = o.await / 2; export default () => v / 1", 5),
        # after a postfix ++ / -- a `/` divides
        ("let x = 4; const v = x++ / 2; export default () => v / 1 + x", 7),
        ("let x = 9; const v = x-- / 3; export default () => v / 1 + x", 11),
        # contextual keywords used as variable names
        ("const of = 6; const v = of / 2; export default () => v / 1", 3),
        ("function f(of) { return of / 2 }\nexport default () => f(8) / 1", 4),
        ("const async = 6, get = 4, set = 2, let_ = 1; const v = async / 2 + get / 2 + set / 2; export default () => v / 1", 6),
        ("var yield_ = 1; const s = 'a/b'.split(/\\//); export default () => s.length", 2),
        # `of` in a for-of head is still the keyword: a regular expression may follow
        ("export default () => { let n = 0; for (const x of /a/g[Symbol.split]('bab')) n += x.length; return n / 1 }", 2),
    ],
)
def test_division_after_property_keyword_postfix_and_contextual_names(run, source: str, expected: int) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    "source, expected",
    [
        ("const o = { export() { return 1 } };\nexport default () => o.export()", 1),
        ("const o = { get export() { return 2 } };\nexport default () => o.export", 2),
        ("class A { static export() { return 3 } }\nexport default () => A.export()", 3),
        ("class A { export = 4 }\nexport default () => new A().export", 4),
        ("const o = { export(x) { return x } };\nconst v = o.export(5);\nexport default () => v", 5),
        ("const o = {export: 6};\nexport default () => o.export", 6),
        ("const o = { async export() { return 7 }, *import() { yield 1 } };\nexport default async () => o.export()", 7),
    ],
)
def test_methods_and_fields_named_export(run, source: str, expected: int) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    "source, name, line",
    [
        ("export default 1;\nexport default 2;", "default", 2),
        ("export default function a() {}\n\nexport default () => 1", "default", 3),
        ("export const a = 1;\nexport { a };", "a", 2),
        ("const x = 1;\nexport { x as default };\nexport default 2;", "default", 3),
    ],
)
def test_duplicate_export_is_a_syntax_error_naming_the_line(source: str, name: str, line: int) -> None:
    with pytest.raises(JSSyntaxError) as info:
        compile_module(source, "dup.js")
    assert info.value.line == line and f"duplicate export '{name}'" in info.value.message


def test_namespace_import_of_a_builtin_has_default(run) -> None:
    src = (
        "import * as c from 'crypto';\nimport * as qs from 'querystring';\n"
        "export default () => [typeof c.default.createHash, c.default.createHash === c.createHash, typeof qs.default.parse,"
        " Object.keys(c).includes('createHmac')]"
    )
    assert run(src) == ["function", True, "function", True]


def test_fallback_finds_a_method_of_the_default_export_object(sb) -> None:
    m = compile_module("export default { findById(x) { return x.id }, other() { return 0 } }", "f.js")
    assert sb.call_sync(m, export_fallback="findById", args=[{"id": 7}]).value == 7


# ---------------------------------------------------------------------------------- hashing

ALGS = ("md5", "sha1", "sha256", "sha512")


@pytest.mark.parametrize("alg", ALGS)
def test_incremental_updates_across_block_boundaries(run, alg: str) -> None:
    # chunk sizes straddle the 64/128-byte blocks and the padding edge (55/56, 111/112 bytes)
    src = (
        "export default (a, sizes) => { const h = crypto.createHash(a), all = [];"
        " let k = 0; for (const n of sizes) { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = (k++ * 7) & 255;"
        " h.update(b); all.push(crypto.createHash(a).update(b).digest('hex')); }"
        " const c = h.copy(); h.update('tail'); return [c.digest('hex'), h.digest('hex'), all] }"
    )
    sizes = [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000]
    data = bytes((k * 7) & 255 for k in range(sum(sizes)))
    copied, tail, each = run(src, alg, sizes)
    assert copied == hashlib.new(alg, data).hexdigest()
    assert tail == hashlib.new(alg, data + b"tail").hexdigest()
    off = 0
    for n, got in zip(sizes, each):
        assert got == hashlib.new(alg, data[off : off + n]).hexdigest()
        off += n


@pytest.mark.parametrize("alg", ALGS)
def test_hmac_streams_data_and_hashes_long_keys(run, alg: str) -> None:
    src = "export default (a, k) => crypto.createHmac(a, k).update('x'.repeat(300)).update(Buffer.from([1, 2, 3])).digest('base64')"
    for key in ("k", "K" * 200):
        got = run(src, alg, key)
        want = hmac.new(key.encode(), b"x" * 300 + b"\x01\x02\x03", alg).digest()
        assert base64.b64decode(got) == want


def test_hashing_a_megabyte_is_fast(sb) -> None:
    """Content hashes of uploads (S3 SigV4, Content-MD5). md5 + sha256 of 1 MB took ~3.4 s of CPU
    before the rewrite (sha256 alone 2.4 s; sha512 3.4 s, over the 5 s default with anything else),
    ~2 s after it on the same slow machine: the 3 s CPU limit separates the two."""
    src = (
        "export default () => { const b = Buffer.alloc(1 << 20); for (let i = 0; i < b.length; i += 4096) b[i] = i >> 12;"
        " return ['md5', 'sha256'].map((a) => crypto.createHash(a).update(b).digest('hex')) }"
    )
    data = bytearray(1 << 20)
    for i in range(0, len(data), 4096):
        data[i] = (i >> 12) & 255
    result = sb.call_sync(compile_module(src, "big.js"), limits=Limits(cpu_time=3.0, wall_time=30.0)).value
    assert result == [hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest()]


# ---------------------------------------------------------------------------------- URL


def test_url_details(run) -> None:
    src = """export default () => {
      const u = new URL('https://a.com/x?a=1'); const sp = u.searchParams; u.href = 'https://b.com/y?b=2&c=3';
      return [sp.get('b'), sp.get('a'), u.searchParams === sp, u.host,
        new URL('file:///tmp/x').pathname, new URL('file:///tmp/x').href, new URL('file:/etc/hosts').href,
        new URL('http://a.com/?').href, new URL('http://a.com/#').href, new URL('http://a.com/?').search, new URL('http://a.com/#').hash,
        new URL('?', 'http://a.com/p').href, new URL('http://a.com/x?y#').href]
    }"""
    assert run(src) == [
        "2", None, True, "b.com",
        "/tmp/x", "file:///tmp/x", "file:///etc/hosts",
        "http://a.com/?", "http://a.com/#", "", "",
        "http://a.com/p?", "http://a.com/x?y#",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "host, ascii_host",
    [
        ("münchen.de", "xn--mnchen-3ya.de"),
        ("Bücher.example.com", "xn--bcher-kva.example.com"),
        ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
        ("ascii.example", "ascii.example"),
    ],
)
def test_idn_hosts_are_punycoded(run, host: str, ascii_host: str) -> None:
    src = "import url from 'url'; export default (h) => { const u = new URL('https://' + h + '/p'); return [u.hostname, u.href, url.domainToASCII(h)] }"
    assert run(src, host) == [ascii_host, f"https://{ascii_host}/p", ascii_host]
    assert ascii_host == host.encode("idna").decode().lower()


def test_legacy_url_parse_format_and_file_paths(run) -> None:
    src = """const url = require('url');
    module.exports = () => [
      url.parse('http://user:pw@Host.com:8080/p/a/t/h?query=string#hash'),
      url.parse('/a/b?x=1&x=2', true).query, url.parse('/a/b').search, url.parse('http://a.com').pathname,
      url.format({protocol: 'https', hostname: 'a.com', pathname: '/x', query: {a: 1}}),
      url.resolve('http://a.com/b/c', '../d'), url.resolve('/one/two/three', 'four'),
      url.fileURLToPath('file:///tmp/a%20b'), url.pathToFileURL('/tmp/a b#c').href,
    ]"""
    parsed, query, search, pathname, formatted, r1, r2, path, file_url = run(src)
    assert parsed == {
        "protocol": "http:", "slashes": True, "auth": "user:pw", "host": "host.com:8080", "port": "8080",
        "hostname": "host.com", "hash": "#hash", "search": "?query=string", "query": "query=string",
        "pathname": "/p/a/t/h", "path": "/p/a/t/h?query=string",
        "href": "http://user:pw@host.com:8080/p/a/t/h?query=string#hash",
    }  # fmt: skip
    assert (query, search, pathname) == ({"x": ["1", "2"]}, None, "/")
    assert (formatted, r1, r2) == ("https://a.com/x?a=1", "http://a.com/d", "/one/two/four")
    assert (path, file_url) == ("/tmp/a b", "file:///tmp/a%20b%23c")


# ---------------------------------------------------------------------------------- Buffer


def test_buffer_search(run) -> None:
    src = """export default () => { const h = Buffer.from('hello');
      return [h.indexOf('l'), h.includes('ell'), h.includes('x'), h.indexOf('l', 3), h.indexOf('l', -2), h.lastIndexOf('l'),
        h.indexOf(0x6f), h.indexOf(Buffer.from('lo')), h.indexOf(new Uint8Array([0x65])), h.indexOf('6c6c', 0, 'hex'), h.indexOf('')] }"""
    assert run(src) == [2, True, False, 3, 3, 3, 4, 3, 1, 2, 0]


def test_buffer_copy_fill_and_integers(run) -> None:
    src = """export default () => { const h = Buffer.from('hello'), t = Buffer.alloc(8, '.');
      const r = [h.copy(t, 2, 1, 4), t.toString(), h.copy(t, 6), t.toString(), Buffer.alloc(5, 'ab').toString(), Buffer.alloc(3).fill(0x41).toString()];
      const b = Buffer.alloc(16);
      b.writeUInt32BE(0xdeadbeef, 0); b.writeInt16LE(-2, 4); b.writeUInt16BE(0x1234, 6); b.writeDoubleLE(1.5, 8);
      r.push(b.readUInt32BE(0), b.readUint32BE(0), b.readUInt32LE(0), b.readInt32BE(0), b.readInt16LE(4), b.readUInt16BE(6), b.readDoubleLE(8), b.toString('hex', 0, 8));
      try { b.readUInt32BE(14); } catch (e) { r.push(e.name); }
      return r }"""
    assert run(src) == [
        3, "..ell...", 2, "..ell.he", "ababa", "AAA",
        0xDEADBEEF, 0xDEADBEEF, 0xEFBEADDE, -559038737, -2, 0x1234, 1.5, "deadbeeffeff1234",
        "RangeError",
    ]  # fmt: skip


def test_latin1_binary_ascii_and_windows_1252(run) -> None:
    src = """export default () => { const b = Buffer.from([0x68, 0xe9, 0xff, 0x80]);
      return [b.toString('latin1'), b.toString('binary'), b.toString('ascii'), Buffer.from('hé', 'latin1').toString('hex'),
        new TextDecoder('latin1').decode(b), new TextDecoder('ISO-8859-1').encoding, new TextDecoder('windows-1252').decode(new Uint8Array([0x93, 0x41, 0x94])),
        new TextDecoder('utf-16le').decode(new Uint8Array([0x41, 0, 0xe9, 0]))] }"""
    assert run(src) == ["héÿ\x80", "héÿ\x80", "hi\x7f\x00", "68e9", "héÿ\u20ac", "windows-1252", "\u201cA\u201d", "Aé"]


def test_utf8_encoding_of_surrogates(run) -> None:
    src = "export default () => ['aé€😀', '\\ud800x', 'x\\udc00'].map((s) => [Buffer.from(s).toString('hex'), Buffer.byteLength(s)])"
    assert run(src) == [["61c3a9e282acf09f9880", 10], ["efbfbd78", 4], ["78efbfbd", 4]]
