"""Name splitting for `$firstName` / `$lastName`: a port of `humanparser.parseName` (MIT, v2.7).

The engine delegates to that npm package, so salutations ("Dr. Jane Doe"), suffixes
("John Smith Jr."), compound last names ("Ludwig van Beethoven") and the "Last, First" form
behave here exactly as on the platform. Only the fields the formulas read are returned.
"""

from __future__ import annotations

import re

__all__ = ["parse_name"]

_SALUTATIONS = (
    "mr master mister mrs miss ms dr prof rev fr judge honorable hon tuan sr srta br pr mx sra"
).split()
_SUFFIXES = "i ii iii iv v senior junior jr sr phd apr rph pe md ma dmd cme qc kc".split()
_COMPOUND = (
    "vere von van de del della der den di da pietro vanden du st. st la lo ter bin ibn te ten op ben al"
).split()

_WORD_BOUNDARY_SPACE_COMMA = re.compile(r"(?<=[A-Za-z0-9_])\s+(,\s+)(?=[A-Za-z0-9_])")
_WORD_COMMA_WORD = re.compile(r"(?<=[A-Za-z0-9_]),(?=[A-Za-z0-9_])")
_PARTS = re.compile(r'[^\s"]+|"[^"]+"')
_JS_WS = " \t\n\r\x0b\x0c\xa0\ufeff\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _key(part: str) -> str:
    return part.lower().replace(".", "")


def parse_name(name: str) -> dict[str, str]:
    """`humanparser.parseName(name)`: firstName, lastName, middleName, salutation, suffix."""
    text = name.strip(_JS_WS)
    text = _WORD_BOUNDARY_SPACE_COMMA.sub(r"\1", text, count=1)
    text = _WORD_COMMA_WORD.sub(", ", text, count=1)
    found = _PARTS.findall(text)
    parts = found if found else re.split(r"\s+", text)
    parts = [p[1:-1] if len(p) >= 2 and p.startswith('"') and p.endswith('"') else p for p in parts]
    attrs: dict[str, str] = {}
    if not parts:
        return attrs
    if len(parts) == 1:
        attrs["firstName"] = parts[0]
    if len(parts) > 1 and _key(parts[-1]) in _SUFFIXES:
        attrs["suffix"] = parts.pop()
        parts[-1] = parts[-1].replace(",", "", 1)

    if any("," in p for p in parts):
        last: list[str] = []
        first_index = len(parts)
        last_name: str | None = None
        for index, current in enumerate(parts):
            if "," not in current:
                last.append(current)
                continue
            current = current.replace(",", "", 1)
            if _key(current) in _SUFFIXES:
                attrs["suffix"] = current
            else:
                last.append(current)
            first_index = index + 1
            last_name = " ".join(last)
            break
        attrs["lastName"] = last_name if last_name is not None else ",".join(last)
        remaining = parts[first_index:]
        if len(remaining) > 1:
            attrs["firstName"] = remaining[0]
            attrs["middleName"] = " ".join(remaining[1:])
        elif remaining:
            attrs["firstName"] = remaining[0]
    else:
        if len(parts) > 1 and _key(parts[0]) in _SALUTATIONS:
            attrs["salutation"] = parts.pop(0)
            if len(parts) == 1:
                attrs["lastName"] = parts.pop(0)
            else:
                attrs["firstName"] = parts.pop(0)
        else:
            attrs["firstName"] = parts.pop(0)
        if not attrs.get("lastName"):
            attrs["lastName"] = parts.pop() if parts else ""
        compound: list[str] = []
        for part in reversed(parts):
            if _key(part) in _COMPOUND:
                compound.append(part)
                continue
            break
        if compound:
            compound.reverse()
            attrs["lastName"] = " ".join(compound) + " " + attrs["lastName"]
            parts = [p for p in parts if (parts + compound).count(p) == 1]
        if parts:
            attrs["middleName"] = " ".join(parts)
        if attrs.get("lastName"):
            attrs["lastName"] = attrs["lastName"].replace(",", "", 1)
    return {k: v.strip(_JS_WS) for k, v in attrs.items()}
