r"""CloudWatch Logs filter patterns, compiled to a predicate on an event's message.

Supported, following AWS's "Filter pattern syntax" page:
- terms: `ERROR` (every plain term must occur), `"quoted phrase"`, `-term` (must not
  occur), `?a ?b` (at least one of the `?` terms must occur), `%regex%` (a regular
  expression term). Matching is case-sensitive substring matching, as in AWS.
- regular expressions run on RE2, as AWS's do: linear time in the message, whatever the
  expression, so no pattern can freeze the server (Python's `re` took time doubling per
  character on `%(a+)+$%`). AWS's rules apply: only letters, digits, `:_#=@/;,-`, spaces
  and the operators `^$?[]{}|\*+.` (no `()` groups, no multibyte characters), and at
  most two regular expressions in one pattern.
- JSON patterns on messages that are JSON: `{ $.level = "ERROR" }`, `{ $.ms > 100 }`,
  `=`, `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||`, parentheses, `IS TRUE|FALSE|NULL`,
  `NOT EXISTS`, `*` wildcards in string values, selectors `$.a.b`, `$.list[0]`.
- space-delimited patterns: `[ip, user, status = 404, ...]`, matching the message's
  space-separated fields (with "…" and […] grouping) by position; `...` stands for any
  number of fields.
An empty pattern matches every event. A pattern that cannot be parsed is an
InvalidParameterException.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from typing import Any

import re2

from ...aws.errors import AwsError

Matcher = Callable[[str], bool]


def _invalid(pattern: str, why: str) -> AwsError:
    return AwsError("InvalidParameterException", f"Invalid filter pattern '{pattern}': {why}")


def compile_pattern(pattern: str | None) -> Matcher:
    text = (pattern or "").strip()
    if not text:
        return lambda _message: True
    if text.startswith("{"):
        return _JsonParser(pattern or "", text).compile()
    if text.startswith("["):
        return _compile_fields(pattern or "", text)
    return _compile_terms(pattern or "", text)


# --- terms -------------------------------------------------------------------------------

_TERM = re.compile(r'\s*([?-]?)(?:"((?:[^"\\]|\\.)*)"|%((?:[^%\\]|\\.)+)%|(\S+))')


# AWS's "Supported regular expressions (regex) syntax": the characters a regex may hold
# (the space is not in AWS's list, but patterns such as `%GET /a %` are accepted there).
_REGEX_CHARS = re.compile(r"[A-Za-z0-9:_#=@/;,\- ^$?\[\]{}|\\*+.]*")
MAX_REGEX_TERMS = 2  # AWS's quota of regular expressions in one filter pattern
MAX_JSON_DEPTH = 32  # parentheses in a JSON pattern (ecsd's bound; AWS states none)
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


def _compile_regex(regex: str, pattern: str) -> Matcher:
    if not _REGEX_CHARS.fullmatch(regex):
        # The rule is AWS's; the wording is ecsd's own.
        raise _invalid(
            pattern,
            "regular expressions may only use letters, digits, the symbols :_#=@/;,- and "
            "the operators ^$?[]{}|\\*+. (no () groups, no multibyte characters)",
        )
    try:
        compiled = re2.compile(regex, options=_RE2_OPTIONS)
    except re2.error as exc:
        why = exc.args[0] if exc.args else ""
        why = why.decode(errors="replace") if isinstance(why, bytes) else str(why)
        raise _invalid(pattern, f"bad regular expression ({why})") from None
    return lambda message: compiled.search(message) is not None


def _term_predicate(
    phrase: str | None, regex: str | None, word: str | None, pattern: str
) -> Matcher:
    if regex is not None:
        return _compile_regex(regex, pattern)
    needle = phrase.replace('\\"', '"') if phrase is not None else (word or "")
    return lambda message: needle in message


def _compile_terms(pattern: str, text: str) -> Matcher:
    required: list[Matcher] = []
    excluded: list[Matcher] = []
    optional: list[Matcher] = []
    pos = 0
    regexes = 0
    while pos < len(text):
        m = _TERM.match(text, pos)
        if m is None:
            if text[pos:].strip():
                raise _invalid(pattern, f"unexpected text at {pos}")
            break
        pos = m.end()
        sign, phrase, regex, word = m.groups()
        if regex is not None:
            regexes += 1
            if regexes > MAX_REGEX_TERMS:
                raise _invalid(pattern, f"at most {MAX_REGEX_TERMS} regular expressions")
        predicate = _term_predicate(phrase, regex, word, pattern)
        {"": required, "-": excluded, "?": optional}[sign].append(predicate)

    def matches(message: str) -> bool:
        if not all(p(message) for p in required):
            return False
        if any(p(message) for p in excluded):
            return False
        return not optional or any(p(message) for p in optional)

    return matches


# --- values shared by JSON and space-delimited patterns ---------------------------------


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _compare(actual: Any, op: str, expected: str | float) -> bool:
    """`actual` (from the message) against a pattern value: numbers numerically, strings
    with `*` wildcards (only `=` and `!=` apply to strings)."""
    if isinstance(expected, float):
        number = _as_number(actual)
        if number is None:
            return False
        return {
            "=": number == expected,
            "!=": number != expected,
            "<": number < expected,
            "<=": number <= expected,
            ">": number > expected,
            ">=": number >= expected,
        }[op]
    if not isinstance(actual, str) or op not in ("=", "!="):
        return False
    same = (
        fnmatch.fnmatchcase(actual, expected.replace("[", "[[]"))
        if "*" in expected
        else actual == expected
    )
    return same if op == "=" else not same


# --- JSON patterns ------------------------------------------------------------------------

_JSON_TOKEN = re.compile(
    r"""\s*(?:
    (?P<paren>[()])|(?P<logic>&&|\|\|)|(?P<op>!=|<=|>=|=|<|>)|
    (?P<selector>\$(?:\.[A-Za-z0-9_\-@]+|\[\d+\]|\.\*)*)|
    (?P<string>"(?:[^"\\]|\\.)*")|(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w*]))|
    (?P<word>[^\s()=!<>&|"]+))""",
    re.VERBOSE,
)

_MISSING = object()
JsonPredicate = Callable[[Any], bool]


class _JsonParser:
    def __init__(self, pattern: str, text: str) -> None:
        self.pattern = pattern
        body = text.strip()
        if not body.endswith("}"):
            raise _invalid(pattern, "missing closing '}'")
        self.tokens = self._tokenize(body[1:-1])
        self.pos = 0
        self.depth = 0

    def _tokenize(self, body: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        pos = 0
        while body[pos:].strip():
            m = _JSON_TOKEN.match(body, pos)
            if m is None or m.end() == pos:
                raise _invalid(self.pattern, f"unexpected text '{body[pos:].strip()}'")
            kind = m.lastgroup or ""
            out.append((kind, m.group(kind)))
            pos = m.end()
        return out

    def compile(self) -> Matcher:
        predicate = self._or()
        if self.pos != len(self.tokens):
            raise _invalid(self.pattern, f"unexpected '{self.tokens[self.pos][1]}'")

        def matches(message: str) -> bool:
            try:
                document = json.loads(message)
            except (ValueError, RecursionError):  # not JSON, or nested past Python's stack
                return False
            return isinstance(document, (dict, list)) and predicate(document)

        return matches

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _next(self, what: str) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise _invalid(self.pattern, f"expected {what}")
        self.pos += 1
        return token

    def _or(self) -> JsonPredicate:
        parts = [self._and()]
        while self._peek() == ("logic", "||"):
            self.pos += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda doc: any(p(doc) for p in parts))

    def _and(self) -> JsonPredicate:
        parts = [self._atom()]
        while self._peek() == ("logic", "&&"):
            self.pos += 1
            parts.append(self._atom())
        return parts[0] if len(parts) == 1 else (lambda doc: all(p(doc) for p in parts))

    def _atom(self) -> JsonPredicate:
        kind, value = self._next("a condition")
        if (kind, value) == ("paren", "("):
            self.depth += 1
            if self.depth > MAX_JSON_DEPTH:
                raise _invalid(self.pattern, f"more than {MAX_JSON_DEPTH} nested parentheses")
            inner = self._or()
            self.depth -= 1
            if self._next("')'") != ("paren", ")"):
                raise _invalid(self.pattern, "expected ')'")
            return inner
        if kind != "selector":
            raise _invalid(self.pattern, f"expected a selector like $.field, got '{value}'")
        path = _selector_path(value)
        kind, op = self._next("an operator")
        if kind == "word" and op.upper() == "IS":
            _, what = self._next("TRUE, FALSE or NULL")
            wanted = {"TRUE": True, "FALSE": False, "NULL": None}.get(what.upper(), _MISSING)
            if wanted is _MISSING:
                raise _invalid(self.pattern, "expected TRUE, FALSE or NULL after IS")
            return lambda doc: (
                _resolve(doc, path) is wanted if wanted is not None else _resolve(doc, path) is None
            )
        if kind == "word" and op.upper() == "NOT":
            _, what = self._next("EXISTS")
            if what.upper() != "EXISTS":
                raise _invalid(self.pattern, "expected EXISTS after NOT")
            return lambda doc: _resolve(doc, path) is _MISSING
        if kind != "op":
            raise _invalid(self.pattern, f"expected an operator, got '{op}'")
        kind, raw = self._next("a value")
        expected: str | float
        if kind == "number":
            expected = float(raw)
        elif kind == "string":
            expected = json.loads(raw)
        elif kind == "word":
            expected = raw
        else:
            raise _invalid(self.pattern, f"expected a value, got '{raw}'")
        return lambda doc: _compare(_resolve(doc, path), op, expected)


def _selector_path(selector: str) -> list[str | int]:
    path: list[str | int] = []
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", selector[1:]):
        path.append(part[0] if part[0] else int(part[1]))
    return path


def _resolve(doc: Any, path: list[str | int]) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(doc, list) or step >= len(doc):
                return _MISSING
            doc = doc[step]
        elif isinstance(doc, dict) and step in doc:
            doc = doc[step]
        else:
            return _MISSING
    return doc


# --- space-delimited patterns ------------------------------------------------------------

_FIELD_CONDITION = re.compile(r"^\s*([\w.\-]+)\s*(!=|<=|>=|=|<|>)\s*(.+?)\s*$")
_SPACE = re.compile(r"\s*")
_WORD = re.compile(r"\S+")


def _message_fields(message: str) -> list[str]:
    """The message's space-separated fields, a "quoted" or [bracketed] span being one
    field (without its quotes or brackets), an unclosed one a plain word. Linear in the
    message: a closer found missing once is missing for every later opener (a regex
    alternation rescanned the rest of the message at every unclosed opener, quadratic in
    a 256 KB event of `[`)."""
    fields: list[str] = []
    missing: set[str] = set()
    pos, n = 0, len(message)
    while True:
        space = _SPACE.match(message, pos)
        pos = space.end() if space else pos
        if pos >= n:
            return fields
        closer = {'"': '"', "[": "]"}.get(message[pos])
        if closer is not None and closer not in missing:
            end = message.find(closer, pos + 1)
            if end >= 0:
                fields.append(message[pos + 1 : end])
                pos = end + 1
                continue
            missing.add(closer)
        word = _WORD.match(message, pos)
        if word is None:  # unreachable: pos is at a non-space character
            return fields
        fields.append(word.group())
        pos = word.end()


def _field_check(op: str, expected: str | float) -> Callable[[str], bool]:
    return lambda value: _compare(value, op, expected)


def _compile_fields(pattern: str, text: str) -> Matcher:
    if not text.endswith("]"):
        raise _invalid(pattern, "missing closing ']'")
    specs: list[tuple[str, Callable[[str], bool]] | None] = []  # None stands for `...`
    for raw in text[1:-1].split(","):
        part = raw.strip()
        if not part:
            raise _invalid(pattern, "empty field")
        if part == "...":
            specs.append(None)
            continue
        m = _FIELD_CONDITION.match(part)
        if m is None:
            specs.append((part, lambda _value: True))
            continue
        name, op, raw_value = m.groups()
        value = raw_value.strip()
        number = _as_number(value)
        expected: str | float = (
            number if number is not None and not value.startswith('"') else value.strip('"')
        )
        specs.append((name, _field_check(op, expected)))

    def fits(fields: list[str]) -> bool:
        # ok[j]: the specs from the current one on match fields[j:]. Built from the last
        # spec backwards, so that `...` costs one pass instead of a search.
        n = len(fields)
        ok = [j == n for j in range(n + 1)]
        for spec in reversed(specs):
            if spec is None:
                rest = False
                for j in range(n, -1, -1):
                    rest = rest or ok[j]
                    ok[j] = rest
            else:
                ok = [j < n and ok[j + 1] and spec[1](fields[j]) for j in range(n + 1)]
        return ok[0]

    def matches(message: str) -> bool:
        fields = _message_fields(message)
        return fits(fields)

    return matches


def extracted_values(pattern: str | None, message: str) -> dict[str, str]:
    """TestMetricFilter's `extractedValues` for a message the pattern matched: a
    space-delimited pattern's named fields (`$name`: the message's field), placed from
    the front up to the first `...` and from the back after the last one; other
    patterns extract nothing."""
    text = (pattern or "").strip()
    if not text.startswith("[") or not text.endswith("]"):
        return {}
    names = [
        (m.group(1) if (m := _FIELD_CONDITION.match(part)) else part.strip())
        for part in text[1:-1].split(",")
    ]
    fields = _message_fields(message)
    out: dict[str, str] = {}
    head = names.index("...") if "..." in names else len(names)
    for i, name in enumerate(names[:head]):
        if i < len(fields):
            out[f"${name}"] = fields[i]
    if "..." in names:
        tail = names[len(names) - names[::-1].index("...") :]
        for i, name in enumerate(reversed(tail)):
            if i < len(fields):
                out[f"${name}"] = fields[len(fields) - 1 - i]
    return out
