"""TypeScript method files -> JavaScript, at load time, cached by content hash.

Why jsmeld (SWC): measured against the other PyPI candidates (benchmarks/RESULTS.md),
it is the only one that handles the TypeScript real connectors are written in (interfaces,
type aliases, `as`, enums, generics, non-null `!`, parameter properties, `import type` and
imports used only as types, which must vanish or the sandbox would try to load the SDK). It
transpiles a typical method file in about a quarter of a millisecond.

SWC's messages carry no position, so on failure the first syntax error is located with the
tree-sitter TypeScript grammar (imported lazily, only then); the error names the `.ts` file
and that line. Output is cached in memory by a hash of the source (and the transpiler
settings), and optionally on disk under a cache directory, so a connector loaded again (or
a second connector sharing files) pays nothing. SWC reprints the code (type-only lines go,
objects spread over lines) and jsmeld returns no source map, so `source_lines` lines the
output up with the source, for a runtime error's stack to name the `.ts` line.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

__all__ = ["TranspileError", "clear_memory_cache", "source_lines", "transpile_typescript"]

#: What the output depends on besides the source: bump when options change.
_SETTINGS = "jsmeld-0.2|es2022|esm|v1"
_OPTIONS: dict[str, object] = {
    "typescript": True,
    "target": "es2022",  # QuickJS supports it natively: no helper imports are emitted
    "module": "esm",  # keep import/export; the sandbox rewrites them (both module styles)
    "source_map": False,
    "minify": False,
    "strict": False,
}
_MEMORY_LIMIT = 4096

_memory: dict[str, str] = {}
_lines_memory: dict[str, tuple[int, ...]] = {}  # `source_lines` by the same key
_lock = threading.Lock()


class TranspileError(Exception):
    """A TypeScript file does not parse: `filename`, 1-based `line` (None if unknown), message."""

    def __init__(self, filename: str, line: int | None, message: str) -> None:
        self.filename = filename
        self.line = line
        self.message = message
        where = f"{filename}:{line}" if line else filename
        super().__init__(f"{where}: {message}")


def clear_memory_cache() -> None:
    """Forget every transpiled output held in memory (tests, long-running hosts)."""
    with _lock:
        _memory.clear()
        _lines_memory.clear()


def _key(source: str) -> str:
    return hashlib.sha256(f"{_SETTINGS}\0{source}".encode()).hexdigest()


def transpile_typescript(source: str, filename: str, *, cache_dir: str | os.PathLike[str] | None = None) -> str:
    """Return JavaScript for TypeScript `source`; raise TranspileError naming `filename` and line.

    `cache_dir` (default: the `CONNECTOR_RUNTIME_CACHE_DIR` environment variable, if set) adds an
    on-disk cache keyed by the same content hash; a missing or unwritable directory only turns
    that cache off.
    """
    key = _key(source)
    with _lock:
        hit = _memory.get(key)
    if hit is not None:
        return hit
    directory = cache_dir if cache_dir is not None else os.environ.get("CONNECTOR_RUNTIME_CACHE_DIR")
    disk = Path(directory) / "ts" / f"{key}.js" if directory else None
    if disk is not None:
        try:
            out = disk.read_text(encoding="utf-8")
        except OSError:
            out = None
        if out is not None:
            _remember(_memory, key, out)
            return out
    out = _transpile(source, filename)
    _remember(_memory, key, out)
    if disk is not None:
        try:
            disk.parent.mkdir(parents=True, exist_ok=True)
            tmp = disk.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(out, encoding="utf-8")
            tmp.replace(disk)
        except OSError:
            pass
    return out


def _remember(store: dict[str, Any], key: str, value: Any) -> None:
    with _lock:
        if len(store) >= _MEMORY_LIMIT:
            store.pop(next(iter(store)))
        store[key] = value


def _transpile(source: str, filename: str) -> str:
    import jsmeld  # lazy: only connectors with .ts files need it

    # jsmeld compiles a file path; a private temporary file keeps the API source-based.
    fd, tmp = tempfile.mkstemp(suffix=".ts", prefix="connector-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(source)
        try:
            return str(jsmeld.compile(tmp, dict(_OPTIONS)))  # type: ignore[arg-type]
        except Exception as exc:  # jsmeld raises its own PyJSMeldError; message has no position
            message = str(exc).removeprefix("Compilation error: ").removeprefix("SWC error: ")
            line, where = _locate_syntax_error(source)
            if where:
                message = f"{message} (near {where!r})"
            raise TranspileError(filename, line, f"TypeScript syntax error: {message}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _locate_syntax_error(source: str) -> tuple[int | None, str | None]:
    """(1-based line, the text there) of the first syntax error tree-sitter finds, else (None, None)."""
    try:
        import tree_sitter
        import tree_sitter_typescript
    except ImportError:  # optional: without it the error names the file only
        return None, None
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_typescript.language_typescript()))
    tree = parser.parse(source.encode("utf-8"))
    best = None
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            if best is None or node.start_point < best.start_point:
                best = node
            continue
        if node.has_error:
            stack.extend(node.children)
    if best is None:
        return None, None
    row = best.start_point[0]
    lines = source.splitlines()
    text = lines[row].strip() if row < len(lines) else ""
    return row + 1, (text[:60] or None)


_WORD = re.compile(r"""[A-Za-z_$][\w$]*|\d[\w.]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'""")
#: how far a printed line is looked for ahead of the previous match and behind it (SWC invents
#: lines, e.g. `this.x = x` for a parameter property, that can match too far ahead), how many
#: source lines one printed line may gather (a call whose arguments were spread over several
#: lines is printed on one), and how many candidate lines are weighed per printed line
_AHEAD, _BEHIND, _SPAN, _CANDIDATES = 400, 40, 8, 24


def source_lines(source: str, output: str) -> tuple[int, ...]:
    """The `source` line (1-based) each line of the transpiled `output` came from; remembered
    in memory by the source's content hash, like the transpile.

    Statements keep their order, so a printed line is looked for near the previous one's match:
    among the source lines holding its first word and another of its words, with most of the
    rest on the lines that follow (types removed, objects re-spread, arguments joined, enum
    members inlined), the one holding most of them, ahead rather than behind, nearest first.
    Lines with no words (`}`) and lines with no match (code SWC made up: an enum's body) get
    the previous match. An index from word to lines keeps this linear in practice: a printed
    line costs its candidates only.
    """
    key = _key(source)
    with _lock:
        hit = _lines_memory.get(key)
    if hit is not None and len(hit) == len(output.splitlines()):
        return hit
    lines = _align(source, output)
    _remember(_lines_memory, key, lines)
    return lines


def _align(source: str, output: str) -> tuple[int, ...]:
    src = [set(_WORD.findall(line)) for line in source.splitlines()]
    index: dict[str, list[int]] = {}
    for j, words in enumerate(src):
        for w in words:
            index.setdefault(w, []).append(j)
    out: list[int] = []
    at = 0
    for line in output.splitlines():
        words = _WORD.findall(line)
        lines = index.get(words[0]) if words else None
        if lines:
            distinct = set(words)
            need = min(2, len(distinct))
            lo = bisect.bisect_left(lines, at - _BEHIND)
            hi = bisect.bisect_left(lines, at + _AHEAD)
            # nearest first, ahead of the previous match before behind it
            near = sorted(lines[lo:hi], key=lambda j: (j < at, abs(j - at)))[:_CANDIDATES]
            best, best_key = -1, None
            for j in near:
                here = src[j]
                hits = sum(w in here for w in distinct)
                if hits < need or (j - at > _SPAN and hits < 3):  # a far jump needs more evidence
                    continue
                pool = set().union(*src[j : j + _SPAN])
                if 10 * len(distinct & pool) < 7 * len(distinct):  # SWC may inline constants (enums)
                    continue
                key = (-hits, j < at, abs(j - at))
                if best_key is None or key < best_key:
                    best, best_key = j, key
            if best < 0:  # nothing near: past a long stretch SWC printed otherwise (a big enum)
                for j in lines[hi : hi + _CANDIDATES]:
                    here = src[j]
                    if sum(w in here for w in distinct) >= max(3, need):
                        best = j
                        break
            if best >= 0:
                at = best
        out.append(at + 1)
    return tuple(out)


