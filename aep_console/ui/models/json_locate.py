"""Where things are in a JSON text: parse errors by line/column, JSON pointers to offsets.

Pure Python, no Qt: the editor uses it to jump from a validation error (``#/_id`` or
``$._id``) to the character that holds the value, and to report parse errors plainly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.decoder import scanstring

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class ParseProblem:
    line: int  # 1-based
    column: int  # 1-based
    offset: int  # 0-based character offset
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


def parse(text: str) -> tuple[object | None, ParseProblem | None]:
    """json.loads with a located, plain error instead of an exception."""
    if not text.strip():
        return None, ParseProblem(1, 1, 0, "the editor is empty: paste or type a JSON record")
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, ParseProblem(exc.lineno, exc.colno, exc.pos, exc.msg)


def pointer_parts(pointer: str) -> list[str]:
    """Split ``#/a/0/b``, ``/a/0/b`` or ``$.a[0].b`` / ``$['a b']`` into keys."""
    p = pointer.strip()
    if p.startswith("$"):
        parts: list[str] = []
        for m in re.finditer(r"\.([^.\[]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\[\"((?:[^\"\\]|\\.)*)\"\]", p[1:]):
            parts.append(next(g for g in m.groups() if g is not None))
        return parts
    if p.startswith("#"):
        p = p[1:]
    if not p or p == "/":
        return []
    return [s.replace("~1", "/").replace("~0", "~") for s in p.lstrip("/").split("/")]


class _Locator:
    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: dict[tuple[str, ...], tuple[int, int]] = {}

    def ws(self, i: int) -> int:
        return _WS.match(self.text, i).end()

    def value(self, i: int, path: tuple[str, ...]) -> int:
        i = self.ws(i)
        start = i
        c = self.text[i]
        if c == "{":
            i = self.ws(i + 1)
            if self.text[i] == "}":
                i += 1
            else:
                while True:
                    i = self.ws(i)
                    key, i = scanstring(self.text, i + 1)
                    i = self.ws(i)
                    i = self.value(i + 1, (*path, key))  # skip ':'
                    i = self.ws(i)
                    if self.text[i] == ",":
                        i += 1
                        continue
                    i += 1  # '}'
                    break
        elif c == "[":
            i = self.ws(i + 1)
            if self.text[i] == "]":
                i += 1
            else:
                n = 0
                while True:
                    i = self.value(i, (*path, str(n)))
                    n += 1
                    i = self.ws(i)
                    if self.text[i] == ",":
                        i += 1
                        continue
                    i += 1
                    break
        elif c == '"':
            _, i = scanstring(self.text, i + 1)
        elif c in "tfn":
            i += 4 if self.text.startswith(("true", "null"), i) else 5
        else:
            m = _NUMBER.match(self.text, i)
            i = m.end() if m else i + 1
        self.spans[path] = (start, i)
        return i


def locate(text: str, pointer: str) -> tuple[int, int] | None:
    """(start, end) offsets of the value at ``pointer``; the nearest existing parent if absent.

    Returns None when the text is not valid JSON.
    """
    try:
        json.loads(text)
    except (json.JSONDecodeError, ValueError):
        return None
    loc = _Locator(text)
    try:
        loc.value(0, ())
    except (IndexError, ValueError):
        return None
    parts = tuple(pointer_parts(pointer))
    while parts not in loc.spans and parts:
        parts = parts[:-1]
    return loc.spans.get(parts)
