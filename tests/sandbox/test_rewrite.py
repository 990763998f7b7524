"""The load-time rewrite: imports/exports become plain JS, lines never move, tricky text is skipped."""

from __future__ import annotations

import pytest

from sandbox import JSSyntaxError, compile_module
from sandbox._rewrite import tokenize


def test_tokenizer_skips_strings_comments_templates_and_regex() -> None:
    src = r"""
const a = "import x from 'fs'"; // export default 1
/* export const y = 2; import z from "child_process" */
const t = `import ${ `nested ${"export"}` } from 'fs'`;
const r = /import\/[export]/g, d = 4 / 2 / 1;
"""
    names = [t.value for t in tokenize(src) if t.kind == "name"]
    assert "import" not in names and "export" not in names
    assert [t.kind for t in tokenize(src) if t.kind == "regex"] == ["regex"]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import crypto from 'crypto';\nexport default () => crypto.createHash('md5').update('a').digest('hex')", "0cc175b9c0f1b6a831c399e269772661"),
        ('import {createHash as h} from "crypto"\nexport default () => h("sha1").update("abc").digest("hex")', "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("import * as qs from 'querystring';\nexport default () => qs.stringify({a: [1, 2]})", "a=1&a=2"),
        ("import qs, {parse} from 'querystring';\nexport default () => parse(qs.stringify({b: 'x y'})).b", "x y"),
        ("export async function run() { return 'named' }", "named"),
        ("const v = 3;\nexport { v as value };\nexport function get() { return v }", 3),
        ("export const a = 1, b = [1, 2].map((x) => x * 2);\nexport default () => a + b[1]", 5),
        ("exports.run = async () => 'cjs';", "cjs"),
        ("module.exports = function () { return 'module.exports' };", "module.exports"),
        ("module.exports = { list: () => 'one fn' };", "one fn"),
        ("export default {a: 1}\nexport function only() { return 'x' }", "x"),
        ("const s = `export default ${1}`;\nexport default () => s", "export default 1"),
        ("export { createHash } from 'crypto';\nexport default () => typeof createHash", "undefined"),
    ],
)
def test_module_styles(run, source: str, expected: object) -> None:
    assert run(source, export="get" if "get()" in source else None) == expected


def test_fallback_and_named_export(sb) -> None:
    m = compile_module("exports.findById = (x) => x.id; exports.other = () => 0;", "f.js")
    assert sb.call_sync(m, export_fallback="findById", args=[{"id": 7}]).value == 7
    assert sb.call_sync(m, export="other").value == 0


def test_unknown_export_lists_exports(sb) -> None:
    from sandbox import UnknownExport

    m = compile_module("exports.a = () => 1; exports.b = () => 2;", "f.js")
    with pytest.raises(UnknownExport) as info:
        sb.call_sync(m)
    assert info.value.key == "unknown_export" and info.value.data == {"exports": ["a", "b"]}
    with pytest.raises(UnknownExport):
        sb.call_sync(m, export="missing")


def test_lines_are_preserved_for_stacks(sb) -> None:
    from sandbox import JSError

    src = "import c from 'crypto';\nimport {\n  URL\n} from 'url';\n\nexport default function run() {\n  throw new Error('line 7');\n}\n"
    m = compile_module(src, "data/x/list.js")
    assert m.code.count("\n") == src.count("\n") + 1
    with pytest.raises(JSError) as info:
        sb.call_sync(m)
    assert "data/x/list.js:7" in info.value.stack


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(JSSyntaxError) as info:
        compile_module("export default function () {\n  return 1 +;\n}\n", "bad.js")
    assert info.value.filename == "bad.js" and info.value.line == 2
    assert info.value.key == "syntax_error" and "bad.js:2" in str(info.value)
    with pytest.raises(JSSyntaxError):
        compile_module("const s = 'unterminated\n", "bad.js")


def test_static_imports_are_listed() -> None:
    m = compile_module("import a from 'crypto'; const b = require('axios'); export default () => import('url')", "m.js")
    assert m.imports == ("crypto", "axios", "url") and m.esm


@pytest.mark.parametrize(
    "source, expected",
    [
        # division after ')' and ']' is not a regex; a regex after '(' or '=' is
        ("const a = [8], b = (a[0]) / 2 / 1, r = /\\/import x from 'fs'/.test('/import x from \\'fs\\'');\nexport default () => [b, r]", [4, True]),
        # template with an object literal and a nested template inside ${}
        ("const t = `a ${ {k: `b ${'}'}`}.k } c`;\nexport default () => t", "a b } c"),
        # `import` as a property, as a method name, and in an object key
        ("const o = { import: 1, export: 2, f() { return this.import + this.export } };\nclass C { import() { return 3 } }\nexport default () => o.f() + new C().import() + o.import", 7),
        # escaped quotes and comment markers inside strings, backticks inside comments
        ("const s = 'it\\'s // not a comment', d = \"/* nor this */\"; // a ` backtick\n/* and ` another */\nexport default () => s + d", "it's // not a comment/* nor this */"),
        # export default of an expression, then a named function
        ("export default { a: 1 }.a === 1 ? ((x) => x + 1) : null;", None),
    ],
)
def test_tricky_sources(run, source: str, expected: object) -> None:
    if expected is None:
        assert run(source, 1) == 2
    else:
        assert run(source) == expected


def test_import_forms_are_rewritten_without_moving_lines() -> None:
    src = "import a, * as ns from 'crypto'\nimport {\n  parse as p,\n  stringify\n} from \"querystring\";\nimport 'url';\nexport default () => [typeof a, typeof ns.createHash, p('x=1').x, typeof stringify]\n"
    m = compile_module(src, "m.js")
    body = m.code[m.header_length :]
    assert body.count("\n") == src.count("\n") + 1
    assert "import" not in body.split("export default")[0].replace("__sb_import", "")


def test_a_hashbang_line_is_allowed_at_the_start_of_a_file(sb) -> None:
    m = compile_module("#!/usr/bin/env node\nexport default () => new Error('x').stack.split('\\n')[0]", "cli.js")
    assert m.line_count == 2
    assert "cli.js:2" in sb.call_sync(m).value
