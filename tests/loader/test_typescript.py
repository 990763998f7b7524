"""TypeScript method files: transpiled correctly, cached by content hash, errors with file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import _quickjs as quickjs  # the bare extension: the `quickjs` package starts a non-daemon thread pool on import

from runtime._loader import TranspileError, clear_memory_cache, transpile_typescript

TYPICAL = """\
import { FindByIdArgs } from '@integration-app/connector-sdk'
import type { Rec } from './types'

enum Status { Active = 'active', Closed = 'closed' }
interface Args { id: string; apiClient: any }
type Maybe<T> = T | undefined

class Box<T> {
  constructor(private readonly value: T) {}
  get(): T { return this.value }
}

function first<T>(items: T[]): Maybe<T> {
  return items.length ? items[0] : undefined
}

export default async function findById({ id, apiClient }: Args & FindByIdArgs): Promise<{ record: Rec }> {
  const response = (await apiClient.get(`items/${id}`)) as { data: any }
  const s: Status = Status.Closed
  const n = first<number>([4, 5])!
  const b = new Box<string>('boxed')
  const optional = response.data?.missing ?? null
  return { record: { id: String(response.data.id), status: s, n, boxed: b.get(), optional } as Rec }
}
"""


def _run_default(js: str, arg_js: str) -> object:
    """Run the transpiled module's default export in QuickJS with `arg_js` as its argument."""
    assert "import " not in js, js  # type-only imports must be gone
    script = js.replace("export default async function", "globalThis.__main = async function")
    ctx = quickjs.Context()
    ctx.eval(script)
    ctx.eval(f"globalThis.__main({arg_js}).then(r => {{ globalThis.__out = JSON.stringify(r) }})")
    ctx.execute_pending_job()
    while ctx.execute_pending_job():
        pass
    import json

    return json.loads(ctx.eval("globalThis.__out"))


def test_typical_connector_typescript_runs() -> None:
    js = transpile_typescript(TYPICAL, "data/x/find-by-id.ts")
    assert not re.search(r"\binterface\b|\bas Rec\b|: string|<number>", js)
    out = _run_default(js, "{ id: 'a1', apiClient: { get: async (p) => ({ data: { id: 42, path: p } }) } }")
    assert out == {"record": {"id": "42", "status": "closed", "n": 4, "boxed": "boxed", "optional": None}}


def test_value_imports_are_kept_type_imports_dropped() -> None:
    js = transpile_typescript(
        "import axios from 'axios'\nimport type { T } from 'x'\nimport { U } from 'y'\n"
        "export default async (a: T, b: U) => axios.get(a as any)\n",
        "m.ts",
    )
    assert "from 'axios'" in js or 'from "axios"' in js
    assert "'x'" not in js and "'y'" not in js


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("const a: number = ;\nexport default a\n", 1),
        ("interface A { a: string }\nfunction f(x: A) {\n  return x.a +\n}\nexport default f\n", 3),
        ("export default function f(a: string) {\n  const b = 1\n  if (a {\n  }\n}\n", 3),
    ],
)
def test_syntax_errors_name_file_and_line(source: str, line: int) -> None:
    with pytest.raises(TranspileError) as exc:
        transpile_typescript(source, "data/deals/update.ts")
    err = exc.value
    assert err.filename == "data/deals/update.ts"
    assert err.line == line
    assert str(err).startswith(f"data/deals/update.ts:{line}: TypeScript syntax error")


def test_cached_in_memory_by_content(monkeypatch: pytest.MonkeyPatch) -> None:
    import jsmeld

    source = "export default (x: number): number => x * 2 // memory-cache-test\n"
    clear_memory_cache()
    first = transpile_typescript(source, "a.ts")
    calls = []
    monkeypatch.setattr(jsmeld, "compile", lambda *a, **k: calls.append(a) or "unused")
    assert transpile_typescript(source, "other-name.ts") == first  # same content: no transpile
    assert calls == []
    transpile_typescript(source + " ", "a.ts")  # different content: transpiled again
    assert len(calls) == 1


def test_disk_cache_survives_a_new_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import jsmeld

    source = "export default (x: string): string => x // disk-cache-test\n"
    clear_memory_cache()
    out = transpile_typescript(source, "a.ts", cache_dir=tmp_path)
    assert list((tmp_path / "ts").glob("*.js"))
    clear_memory_cache()  # as if the process restarted
    monkeypatch.setattr(jsmeld, "compile", lambda *a, **k: pytest.fail("should come from the disk cache"))
    assert transpile_typescript(source, "a.ts", cache_dir=tmp_path) == out
    monkeypatch.setenv("CONNECTOR_RUNTIME_CACHE_DIR", str(tmp_path))
    clear_memory_cache()
    assert transpile_typescript(source, "a.ts") == out


TRACED = """\
import type { Ctx } from "@membrane/sdk";
enum Color { Red = "red", Blue = "blue" }

interface Item {
  id: string;
}

export default async function run({ apiClient, input }: Ctx): Promise<string[]> {
  const records: Item[] = await apiClient.get<Item[]>(
    "/items",
    { limit: input.limit ?? 10, color: Color.Red },
  );
  const ids = records.map((r) => r.id!);
  if (ids.length === 0) {
    throw new Error(`no records for ${input.name}`);
  }
  return ids;
}
"""


def test_each_transpiled_line_knows_its_typescript_line() -> None:
    from runtime._loader import source_lines

    js = transpile_typescript(TRACED, "traced.ts")
    lines = source_lines(TRACED, js)
    by_text = {text.strip(): lines[i] for i, text in enumerate(js.splitlines())}
    assert len(lines) == len(js.splitlines())
    assert lines == tuple(sorted(lines))  # statements keep their order
    assert by_text["throw new Error(`no records for ${input.name}`);"] == 15
    assert by_text["const ids = records.map((r)=>r.id);"] == 13
    assert by_text["return ids;"] == 17
    call = next(t for t in by_text if t.startswith("const records = await apiClient.get("))
    assert by_text[call] == 9  # the type annotations and generics are gone from that line
    assert by_text["limit: input.limit ?? 10,"] == 11


def test_a_runtime_error_in_a_typescript_method_names_the_ts_line(tmp_path: Path) -> None:
    """The stack of an error thrown in a `.ts` method points at the `.ts` file's own line, not
    at the line of the JavaScript SWC printed (type-only lines and reflowed calls shift it)."""
    import asyncio
    import shutil

    import httpx

    from runtime import Connector
    from runtime._errors import CustomCodeError
    from tests.connectors import path as connector_path

    shutil.copytree(connector_path("apikey"), tmp_path / "apikey")
    op = tmp_path / "apikey" / "operations" / "traced"
    op.mkdir()
    (op / "spec.yml").write_text("name: Traced\nmethods:\n  run: {}\n")
    (op / "run.ts").write_text(TRACED)

    def empty(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[])

    async def main() -> None:
        connector = Connector.load(tmp_path / "apikey")
        async with connector.connect(
            connector_parameters={"baseUri": "https://api.example.test"}, credentials={"apiKey": "k-1"}, transport=httpx.MockTransport(empty)
        ) as conn:
            await conn.call("operations/traced/run", {"input": {"name": "x"}})

    with pytest.raises(CustomCodeError) as info:
        asyncio.run(main())
    assert "no records for x" in info.value.message
    assert re.search(r"operations/traced/run\.ts:15\b", info.value.stack or ""), info.value.stack


@pytest.mark.parametrize(
    ("source", "throw_line"),
    [
        # parameter properties: SWC invents `this.x = x` lines that look like later code
        ("class Box {\n  constructor(private x: number, private y: number) {}\n  boom(): never {\n    throw new Error('boom');\n  }\n"
         "  sum() { return this.x + this.y }\n}\nexport default async function run() {\n  return new Box(1, 2).boom();\n}\n", 4),
        # an enum: its members are inlined as constants where they are used
        ("enum Color { Red, Green }\nfunction f(c: Color) {\n  if (c === Color.Red) throw new Error('red');\n  return c;\n}\n"
         "export default async function run() { return f(Color.Red) }\n", 3),
    ],
    ids=["parameter properties", "enum"],
)
def test_invented_lines_do_not_pull_later_lines_away(source: str, throw_line: int) -> None:
    from runtime._loader import source_lines

    js = transpile_typescript(source, "x.ts")
    lines = source_lines(source, js)
    throws = [lines[i] for i, text in enumerate(js.splitlines()) if "throw new Error" in text]
    assert throws == [throw_line]


def test_code_after_a_long_stretch_printed_otherwise_is_found() -> None:
    """A 20,000-line enum becomes code that matches none of its lines; the function after it
    is still found, far past the window a printed line is first looked for in."""
    from runtime._loader import source_lines

    source = "enum Big {\n" + "".join(f"  Member{i},\n" for i in range(20000)) + "}\nexport default async function run() { return Big.Member1 }\n"
    js = transpile_typescript(source, "big.ts")
    lines = source_lines(source, js)
    assert len(lines) == len(js.splitlines())
    assert lines[-3:] == (20003, 20003, 20003)  # the function, its `return 1`, its `}`: the last line
