"""Load-time rewrite of ES module / CommonJS source into one function QuickJS can evaluate.

The binding has no module loader, so `import`/`export` are turned into plain JavaScript once, at
load time. The rewrite never adds or removes a line: every replacement keeps the newlines of the
text it replaces, so a stack frame's line number is the connector file's line number. A small
tokenizer finds the statements; it skips strings, comments, regular expressions and template
literals (with nested `${...}`), so an `import` inside a string is left alone.

    import x from 'm'            ->  const x = __sb_require("m", 1);
    import {a, b as c} from 'm'  ->  const {a: a, b: c} = __sb_require("m");
    import * as ns from 'm'      ->  const ns = __sb_ns(__sb_require("m"));   (exports + `default`)
    import('m')                  ->  __sb_import('m')          (a rejected promise if not allowed)
    export default <expr>        ->  __sb_exports.default = <expr>
    export [async] function f    ->  [async] function f        (+ a live getter for `f`)
    export const a = 1, b = 2    ->  const a = 1, b = 2        (+ getters)
    export {a, b as c}           ->  (removed)                 (+ getters)

Getters are defined on the first line, before the module body runs, so exports are live bindings
as in real ES modules. CommonJS (`exports.x = ...`, `module.exports = ...`) needs no rewrite: the
function receives `exports`, `module` and `require` like Node's module wrapper.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field

from ._errors import JSSyntaxError

__all__ = ["Module", "Token", "rewrite", "tokenize"]

_IDENT_START = re.compile(r"[A-Za-z_$\u0080-\uffff]")
_IDENT = re.compile(r"[A-Za-z0-9_$\u0080-\uffff]*")
_NUMBER = re.compile(r"(?:0[xXoObB][0-9a-fA-F_]+n?|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?n?)")
_PUNCT = [
    ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=",
    "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=",
    "%=", "&=", "|=", "^=", "<<", ">>", "**",
]
# After these tokens a `/` starts a regular expression, not a division.
_REGEX_AFTER_WORDS = {
    "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do",
    "else", "yield", "await",
}
# Contextual keywords that are also valid variable names: a file that declares one as a variable
# uses it as an identifier, so `/` after it is a division.
_CONTEXTUAL_WORDS = ("of", "yield", "await")
_DECLARED_CONTEXTUAL = re.compile(r"\b(?:var|let|const|function|class)\s+(of|yield|await)\b")
# Declarations of the namespace helper, put in the header when the module has `import * as`.
_NS_HELPER = (
    "const __sb_ns = (m) => {const n = Object.assign(Object.create(null), m);"
    ' if (!("default" in n)) n.default = m; return n;};'
)


@dataclass(frozen=True, slots=True)
class Token:
    """One significant token: kind is name, punct, string, template, regex or number."""

    kind: str
    value: str
    start: int
    end: int


_MODULE_KEYS = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Module:
    """A connector JS file, rewritten and syntax-checked once at load time.

    `code` is a function expression taking (exports, module, require, import); `imports` lists the
    modules its static imports and `require("...")` calls name (for load-time checks), `exports`
    the names its `export` statements declare (CommonJS exports are only known at run time).
    """

    filename: str
    source: str
    code: str
    line_count: int
    esm: bool
    imports: tuple[str, ...]
    exports: tuple[str, ...]
    header_length: int
    #: QuickJS bytecode of `code` (None when the binding cannot be driven that way)
    bytecode: bytes | None = None
    #: names this module in a context that keeps its instance between calls (warm reuse)
    key: str = field(default_factory=lambda: str(next(_MODULE_KEYS)), compare=False)

    def __repr__(self) -> str:
        return f"Module(filename={self.filename!r}, lines={self.line_count}, esm={self.esm})"


def _syntax_error(filename: str, source: str, pos: int, message: str) -> JSSyntaxError:
    line = source.count("\n", 0, pos) + 1
    column = pos - (source.rfind("\n", 0, pos) + 1) + 1
    return JSSyntaxError(filename, line, message, column=column)


def tokenize(source: str, filename: str = "<source>") -> list[Token]:
    """Significant tokens of `source`; comments and whitespace are skipped.

    Template literals come out as `template` tokens for their literal parts, and the tokens of
    their `${...}` expressions in between, so code inside a template is still seen as code.
    """
    tokens: list[Token] = []
    append = tokens.append
    n = len(source)
    i = 0
    # Brace stack: True marks a `${` opened inside a template literal.
    braces: list[bool] = []
    identifiers = set(_DECLARED_CONTEXTUAL.findall(source))

    def regex_allowed() -> bool:
        if not tokens:
            return True
        last = tokens[-1]
        if last.kind in ("number", "string", "template", "regex"):
            return False
        if last.kind == "name":
            if last.value not in _REGEX_AFTER_WORDS:
                return False
            prev = tokens[-2] if len(tokens) > 1 else None
            if prev is not None and prev.kind == "punct" and prev.value in (".", "?."):
                return False  # a property named like a keyword: `o.return / 2`
            if last.value in _CONTEXTUAL_WORDS and last.value in identifiers:
                return False
            if last.value == "of":
                # `for (x of /re/)`: the keyword follows a binding; anywhere else it is a name.
                return prev is not None and (
                    (prev.kind == "name" and prev.value not in _REGEX_AFTER_WORDS) or prev.value in ("]", "}")
                )
            return True
        # After a postfix `++`/`--` a `/` divides (a regular expression cannot be incremented).
        return last.value not in (")", "]", "}", "++", "--")

    def scan_template(i: int) -> int:
        """Scan template characters from i (just after ` or }) to the closing ` or a ${."""
        start = i
        while i < n:
            c = source[i]
            if c == "\\":
                i += 2
                continue
            if c == "`":
                append(Token("template", source[start:i], start, i + 1))
                return i + 1
            if c == "$" and i + 1 < n and source[i + 1] == "{":
                append(Token("template", source[start:i], start, i + 2))
                braces.append(True)
                return i + 2
            i += 1
        raise _syntax_error(filename, source, start, "unterminated template literal")

    while i < n:
        c = source[i]
        if c in " \t\r\n\f\v\u00a0\ufeff\u2028\u2029":
            i += 1
            continue
        if c == "/" and i + 1 < n:
            nxt = source[i + 1]
            if nxt == "/":
                j = source.find("\n", i)
                i = n if j < 0 else j
                continue
            if nxt == "*":
                j = source.find("*/", i + 2)
                if j < 0:
                    raise _syntax_error(filename, source, i, "unterminated comment")
                i = j + 2
                continue
        if c == "#" and i == 0 and source.startswith("#!"):
            j = source.find("\n")
            i = n if j < 0 else j
            continue
        if c == "'" or c == '"':
            j = i + 1
            while j < n:
                d = source[j]
                if d == "\\":
                    j += 2
                    continue
                if d == c:
                    break
                if d == "\n":
                    raise _syntax_error(filename, source, i, "unterminated string literal")
                j += 1
            else:
                raise _syntax_error(filename, source, i, "unterminated string literal")
            append(Token("string", source[i : j + 1], i, j + 1))
            i = j + 1
            continue
        if c == "`":
            i = scan_template(i + 1)
            continue
        if c == "/" and regex_allowed():
            j = i + 1
            in_class = False
            while j < n:
                d = source[j]
                if d == "\\":
                    j += 2
                    continue
                if d == "\n":
                    raise _syntax_error(filename, source, i, "unterminated regular expression")
                if d == "[":
                    in_class = True
                elif d == "]":
                    in_class = False
                elif d == "/" and not in_class:
                    break
                j += 1
            else:
                raise _syntax_error(filename, source, i, "unterminated regular expression")
            m = _IDENT.match(source, j + 1)
            end = m.end() if m else j + 1
            append(Token("regex", source[i:end], i, end))
            i = end
            continue
        if _IDENT_START.match(c) or c == "\\":
            m = _IDENT.match(source, i + 1)
            end = m.end() if m else i + 1
            append(Token("name", source[i:end], i, end))
            i = end
            continue
        if c.isdigit() or (c == "." and i + 1 < n and source[i + 1].isdigit()):
            m = _NUMBER.match(source, i)
            end = m.end() if m and m.end() > i else i + 1
            append(Token("number", source[i:end], i, end))
            i = end
            continue
        if c == "{":
            braces.append(False)
            append(Token("punct", c, i, i + 1))
            i += 1
            continue
        if c == "}":
            if braces and braces.pop():
                i = scan_template(i + 1)
                continue
            append(Token("punct", c, i, i + 1))
            i += 1
            continue
        for p in _PUNCT:
            if source.startswith(p, i):
                append(Token("punct", p, i, i + len(p)))
                i += len(p)
                break
        else:
            append(Token("punct", c, i, i + 1))
            i += 1
    return tokens


class _Rewriter:
    def __init__(self, source: str, filename: str) -> None:
        self.source = source
        self.filename = filename
        self.tokens = tokenize(source, filename)
        self.edits: list[tuple[int, int, str]] = []
        self.getters: list[tuple[str, str]] = []  # (exported name, JS expression)
        self.reexports: list[str] = []
        self.imports: list[str] = []
        self.esm = False
        self.namespaces = False  # an `import * as` needs the namespace helper
        self.default_exprs = 0  # `export default <expression>` statements seen
        self.exported: dict[str, int] = {}  # export name -> position of its export statement

    def error(self, pos: int, message: str) -> JSSyntaxError:
        return _syntax_error(self.filename, self.source, pos, message)

    def tok(self, k: int) -> Token | None:
        return self.tokens[k] if 0 <= k < len(self.tokens) else None

    def is_value(self, k: int, value: str) -> bool:
        t = self.tok(k)
        return t is not None and t.value == value and t.kind in ("name", "punct")

    def replace(self, start: int, end: int, text: str) -> None:
        newlines = self.source.count("\n", start, end)
        assert "\n" not in text
        self.edits.append((start, end, text + "\n" * newlines))

    def string_value(self, k: int) -> str:
        t = self.tok(k)
        if t is None or t.kind != "string":
            pos = t.start if t else len(self.source)
            raise self.error(pos, "expected a module name string")
        raw = t.value
        try:
            return json.loads('"' + raw[1:-1].replace('\\"', '"').replace('"', '\\"') + '"') if raw[0] == "'" else json.loads(raw)
        except ValueError:
            return raw[1:-1]

    def end_of_statement(self, k: int) -> tuple[int, int]:
        """Skip an optional import attributes clause and `;`: returns (next token index, end pos)."""
        end = self.tokens[k - 1].end
        if self.is_value(k, "with") or self.is_value(k, "assert"):
            if self.is_value(k + 1, "{"):
                j = k + 2
                while j < len(self.tokens) and not self.is_value(j, "}"):
                    j += 1
                k = j + 1
                end = self.tokens[j].end if j < len(self.tokens) else end
        if self.is_value(k, ";"):
            end = self.tokens[k].end
            k += 1
        return k, end

    def run(self) -> None:
        tokens = self.tokens
        k = 0
        while k < len(tokens):
            t = tokens[k]
            if t.kind == "name" and t.value in ("import", "export") and not self._is_property(k):
                if t.value == "import":
                    k = self._import(k)
                elif self.is_value(k + 1, "(") or self.is_value(k + 1, "="):
                    k += 1  # a method or class field named `export`: `{ export() {} }`
                else:
                    k = self._exported_names(k)
                continue
            if t.kind == "name" and t.value == "require" and self.is_value(k + 1, "(") and not self._is_property(k):
                nxt = self.tok(k + 2)
                if nxt is not None and nxt.kind == "string" and self.is_value(k + 3, ")"):
                    self.imports.append(self.string_value(k + 2))
            k += 1

    def _is_property(self, k: int) -> bool:
        prev = self.tok(k - 1)
        if prev is not None and prev.kind == "punct" and prev.value in (".", "?."):
            return True
        nxt = self.tok(k + 1)
        return nxt is not None and nxt.kind == "punct" and nxt.value == ":"

    # ------------------------------------------------------------------ import
    def _import(self, k: int) -> int:
        t = self.tokens[k]
        nxt = self.tok(k + 1)
        if nxt is None:
            raise self.error(t.start, "unexpected end of input after 'import'")
        if nxt.kind == "punct" and nxt.value == "(":
            # A class method named `import(...) {` is not a dynamic import.
            depth, j = 0, k + 1
            while j < len(self.tokens):
                v = self.tokens[j]
                if v.kind == "punct" and v.value == "(":
                    depth += 1
                elif v.kind == "punct" and v.value == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            prev = self.tok(k - 1)
            if self.is_value(j + 1, "{") and (prev is None or prev.value in ("{", "}", ";", "static", "async")):
                return k + 1
            self.replace(t.start, t.end, "__sb_import")
            if self.tok(k + 2) is not None and self.tokens[k + 2].kind == "string":
                self.imports.append(self.string_value(k + 2))
            return k + 1
        if nxt.kind == "punct" and nxt.value == ".":
            raise self.error(t.start, "import.meta is not supported in the sandbox")
        self.esm = True
        start = t.start
        j = k + 1
        if nxt.kind == "string":
            name = self.string_value(j)
            self.imports.append(name)
            j, end = self.end_of_statement(j + 1)
            self.replace(start, end, f"__sb_require({json.dumps(name)});")
            return j
        if nxt.kind == "name" and nxt.value == "type":
            raise self.error(nxt.start, "TypeScript 'import type' must be stripped before loading")
        parts: list[tuple[str, str]] = []  # (binding pattern, kind)
        default_name: str | None = None
        if self.tok(j) is not None and self.tokens[j].kind == "name" and self.tokens[j].value != "from":
            default_name = self.tokens[j].value
            j += 1
            if self.is_value(j, ","):
                j += 1
        if self.is_value(j, "*"):
            if not self.is_value(j + 1, "as") or self.tok(j + 2) is None:
                raise self.error(self.tokens[j].start, "expected '* as name' in import")
            parts.append((self.tokens[j + 2].value, "ns"))
            j += 3
        elif self.is_value(j, "{"):
            j += 1
            specs: list[str] = []
            while not self.is_value(j, "}"):
                a = self.tok(j)
                if a is None:
                    raise self.error(start, "unterminated import specifier list")
                imported = a.value
                local = imported
                j += 1
                if self.is_value(j, "as"):
                    local = self.tokens[j + 1].value
                    j += 2
                if imported == "type" and self.tok(j) is not None and self.tokens[j].kind == "name" and not self.is_value(j, "as"):
                    raise self.error(a.start, "TypeScript 'type' imports must be stripped before loading")
                specs.append(f"{imported}: {local}")
                if self.is_value(j, ","):
                    j += 1
            j += 1
            parts.append(("{" + ", ".join(specs) + "}", "named"))
        if not self.is_value(j, "from"):
            pos = self.tokens[j].start if self.tok(j) else len(self.source)
            raise self.error(pos, "expected 'from' in import declaration")
        name = self.string_value(j + 1)
        self.imports.append(name)
        j, end = self.end_of_statement(j + 2)
        req = f"__sb_require({json.dumps(name)})"
        decls = []
        if default_name is not None:
            decls.append(f"{default_name} = __sb_require({json.dumps(name)}, 1)")
        for pattern, kind in parts:
            if kind == "ns":
                # A namespace object as Node builds for a CommonJS module: its exports + `default`.
                self.namespaces = True
                decls.append(f"{pattern} = __sb_ns({req})")
            else:
                decls.append(f"{pattern} = {req}")
        self.replace(start, end, "const " + ", ".join(decls) + ";")
        return j

    # ------------------------------------------------------------------ export
    def _exported_names(self, k: int) -> int:
        """Rewrite one export statement; a name exported twice is a SyntaxError, as in JS."""
        pos = self.tokens[k].start
        n_getters, n_default = len(self.getters), self.default_exprs
        k = self._export(k)
        names = [name for name, _ in self.getters[n_getters:]] + ["default"] * (self.default_exprs - n_default)
        for name in names:
            if name in self.exported:
                first = self.source.count("\n", 0, self.exported[name]) + 1
                raise self.error(pos, f"duplicate export '{name}' (already exported on line {first})")
            self.exported[name] = pos
        return k

    def _export(self, k: int) -> int:
        t = self.tokens[k]
        self.esm = True
        j = k + 1
        nxt = self.tok(j)
        if nxt is None:
            raise self.error(t.start, "unexpected end of input after 'export'")
        v = nxt.value
        if v == "default":
            j += 1
            a = self.tok(j)
            name_tok = None
            if self.is_value(j, "async") and self.is_value(j + 1, "function"):
                name_idx = j + 2
            elif self.is_value(j, "function") or self.is_value(j, "class"):
                name_idx = j + 1
            else:
                name_idx = -1
            if name_idx >= 0:
                if self.is_value(name_idx, "*"):
                    name_idx += 1
                cand = self.tok(name_idx)
                if cand is not None and cand.kind == "name" and cand.value not in ("extends",):
                    name_tok = cand
            if name_tok is not None:
                self.replace(t.start, nxt.end, "")
                self.getters.append(("default", name_tok.value))
            else:
                if a is None:
                    raise self.error(t.start, "export default needs a value")
                self.replace(t.start, nxt.end, "__sb_exports.default =")
                self.default_exprs += 1
            return j
        if v in ("function", "class", "async"):
            idx = j + 1
            if v == "async":
                if not self.is_value(idx, "function"):
                    raise self.error(nxt.start, "expected 'function' after 'export async'")
                idx += 1
            if self.is_value(idx, "*"):
                idx += 1
            name = self.tok(idx)
            if name is None or name.kind != "name":
                raise self.error(nxt.start, "exported declaration needs a name")
            self.replace(t.start, t.end, "")
            self.getters.append((name.value, name.value))
            return j
        if v in ("const", "let", "var"):
            self.replace(t.start, t.end, "")
            for name in self._declared_names(j + 1):
                self.getters.append((name, name))
            return j
        if v == "{" or v == "*":
            return self._export_list(k)
        raise self.error(nxt.start, f"unsupported export form: 'export {v}'")

    def _declared_names(self, j: int) -> list[str]:
        """Names bound by `a = 1, b, c = f(x, y)` starting at token j (simple identifiers)."""
        names: list[str] = []
        while True:
            tk = self.tok(j)
            if tk is None:
                return names
            if tk.kind != "name":
                raise self.error(tk.start, "destructuring in 'export const/let/var' is not supported; declare, then 'export { ... }'")
            names.append(tk.value)
            j += 1
            # skip an initializer up to a depth-0 comma or the end of the statement
            depth = 0
            while True:
                x = self.tok(j)
                if x is None:
                    return names
                if x.kind == "punct":
                    if x.value in ("(", "[", "{"):
                        depth += 1
                    elif x.value in (")", "]", "}"):
                        if depth == 0:
                            return names
                        depth -= 1
                    elif x.value == ";" and depth == 0:
                        return names
                    elif x.value == "," and depth == 0:
                        j += 1
                        break
                elif depth == 0 and x.kind == "name" and self._starts_statement(j):
                    return names
                j += 1

    def _starts_statement(self, j: int) -> bool:
        """A token on a new line after a complete expression ends the declaration (ASI)."""
        prev = self.tokens[j - 1]
        between = self.source[prev.end : self.tokens[j].start]
        if "\n" not in between:
            return False
        if prev.kind == "punct" and prev.value not in (")", "]", "}"):
            return False
        return prev.kind != "name" or prev.value not in ("new", "typeof", "await", "in", "of", "instanceof")

    def _export_list(self, k: int) -> int:
        t = self.tokens[k]
        j = k + 1
        items: list[tuple[str, str]] = []
        star_as: str | None = None
        star = False
        if self.is_value(j, "*"):
            star = True
            j += 1
            if self.is_value(j, "as"):
                star_as = self.tokens[j + 1].value
                j += 2
        else:
            j += 1
            while not self.is_value(j, "}"):
                a = self.tok(j)
                if a is None:
                    raise self.error(t.start, "unterminated export list")
                local = a.value
                exported = local
                j += 1
                if self.is_value(j, "as"):
                    exported = self.tokens[j + 1].value
                    j += 2
                if exported.startswith(("'", '"')):
                    exported = json.loads(exported) if exported[0] == '"' else exported[1:-1]
                items.append((exported, local))
                if self.is_value(j, ","):
                    j += 1
            j += 1
        source_module: str | None = None
        if self.is_value(j, "from"):
            source_module = self.string_value(j + 1)
            self.imports.append(source_module)
            j += 2
        elif star:
            raise self.error(t.start, "'export *' needs 'from'")
        j, end = self.end_of_statement(j)
        self.replace(t.start, end, "")
        if source_module is None:
            self.getters.extend(items)
        else:
            req = f"__sb_require({json.dumps(source_module)})"
            if star_as is not None:
                self.getters.append((star_as, req))
            elif star:
                self.reexports.append(req)
            else:
                for exported, local in items:
                    self.getters.append((exported, f"{req}[{json.dumps(local)}]"))
        return j

    def output(self) -> str:
        out: list[str] = []
        pos = 0
        for start, end, text in sorted(self.edits):
            out.append(self.source[pos:start])
            out.append(text)
            pos = end
        out.append(self.source[pos:])
        return "".join(out)


_ESM_PARAMS = "__sb_exports, __sb_module, __sb_require, __sb_import, __sb_done"
_CJS_PARAMS = "exports, module, require, __sb_import, __sb_done"
#: the last line of every module: tells the prelude the body ran to its end, so a module without
#: top-level await is known to be loaded without waiting for a job of the engine
_TAIL = "\n;__sb_done();})"


def rewrite(source: str, filename: str) -> tuple[str, bool, tuple[str, ...], tuple[str, ...], int]:
    """Rewrite one module: (function-expression code, esm, imports, export names, header length).

    The header (wrapper start and export getters) sits on line 1 before the original first
    character; nothing adds a newline, so line N of the code is line N of the file. A hashbang
    line (`#!/usr/bin/env node`, allowed at the very start of a file) becomes a comment.
    """
    if source.startswith("#!"):
        source = "//" + source[2:]
    r = _Rewriter(source, filename)
    r.run()
    body = r.output()
    prologue = _NS_HELPER if r.namespaces else ""
    if r.getters:
        pairs = ", ".join(f"{json.dumps(name)}: () => {expr}" for name, expr in r.getters)
        prologue += f"__sb_require.__export(__sb_exports, {{{pairs}}});"
    for req in r.reexports:
        prologue += f"__sb_require.__reexport(__sb_exports, {req});"
    if r.esm:
        header = f'(async function ({_ESM_PARAMS}) {{"use strict";{prologue}'
    else:
        header = f"(async function ({_CJS_PARAMS}) {{"
    code = header + body + _TAIL
    names = tuple(dict.fromkeys(name for name, _ in r.getters))
    return code, r.esm, tuple(dict.fromkeys(r.imports)), names, len(header)
