"""The CloudWatch Logs Insights query language, parsed into commands.

A hand-written recursive-descent parser (no library parses Insights' syntax). A query is
commands separated by `|`:

    fields expr [as name], ...        display name, ...
    filter boolean-expression         sort expr [asc|desc], ...
    limit N                           dedup name, ...
    parse expr "glob * with * stars" as a, b
    parse expr /regex with (?<named>groups)/
    stats agg(...) [as name], ... [by expr [as name], ...]

Expressions: `or`, `and`, `not`; comparisons `= != < <= > >=`, `like` / `not like` with
a "string" (substring) or /regex/, `=~ /regex/`, `in [..]`; `+ - * / %`; numbers,
'strings' and "strings", /regexes/, field names (`@message`, `a.b`, `` `odd name` ``) and
function calls (`ispresent(f)`, `bin(5m)`, `count(*)`, ...). What the parser refuses is a
MalformedQueryException with its position, as StartQuery reports one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# --- the tree ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Lit:
    value: Any  # str, float/int, or re.Pattern for a /regex/


@dataclass(frozen=True)
class Field:
    name: str


@dataclass(frozen=True)
class Call:
    name: str  # lower-cased
    args: tuple[Any, ...]
    star: bool = False  # count(*)


@dataclass(frozen=True)
class Unary:
    op: str  # "not" or "-"
    arg: Any


@dataclass(frozen=True)
class Binary:
    op: str  # and or = != < <= > >= like notlike =~ in + - * / %
    left: Any
    right: Any


@dataclass
class Command:
    name: str
    items: list[tuple[Any, str]] = field(default_factory=list)  # (expression, output name)
    expr: Any = None  # filter's condition, parse's source
    by: list[tuple[Any, str]] = field(default_factory=list)  # stats … by
    order: list[tuple[Any, bool]] = field(default_factory=list)  # sort: (expr, descending)
    number: int = 0  # limit
    pattern: re.Pattern[str] | None = None  # parse
    names: list[str] = field(default_factory=list)  # parse's outputs, dedup's fields


class QueryError(Exception):
    """A query that does not parse: `start`/`end` locate the offending text."""

    def __init__(self, message: str, start: int, end: int) -> None:
        super().__init__(message)
        self.message, self.start, self.end = message, start, end


# --- tokens ------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<quoted>`[^`]*`)
  | (?P<name>[@A-Za-z_$][\w.@$]*)
  | (?P<op>=~|!=|<=|>=|==|[=<>+\-*/%(),|\[\]])
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "like", "in", "as", "by", "asc", "desc"}
COMMANDS = ("fields", "display", "filter", "sort", "limit", "parse", "stats", "dedup")


@dataclass(frozen=True)
class Tok:
    kind: str  # number string regex name op end
    text: str
    start: int
    end: int


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _operand_expected(toks: list[Tok]) -> bool:
    """Whether a `/` here opens a /regex/ (where an operand goes: after an operator, a
    keyword, or `parse <field>`) rather than dividing."""
    if not toks:
        return True
    last = toks[-1]
    if last.kind in ("op", "kw"):
        return last.text not in (")", "]")
    parse_source = len(toks) >= 2 and toks[-2].kind == "name" and toks[-2].text.lower() == "parse"
    return last.kind in ("name", "quoted") and parse_source


def tokenize(query: str) -> list[Tok]:
    toks: list[Tok] = []
    pos = 0
    while pos < len(query):
        # A `/` opens a regex where an operand is expected (not after one: division).
        if query[pos] == "/" and _operand_expected(toks):
            end = pos + 1
            while end < len(query) and query[end] != "/":
                end += 2 if query[end] == "\\" else 1
            if end >= len(query):
                raise QueryError("unterminated regular expression", pos, len(query))
            toks.append(Tok("regex", query[pos + 1 : end], pos, end + 1))
            pos = end + 1
            continue
        m = _TOKEN.match(query, pos)
        if m is None:
            raise QueryError(f"unexpected symbol found {query[pos]}", pos, pos + 1)
        kind = m.lastgroup or ""
        text = m.group()
        if kind == "name" and text.lower() in _KEYWORDS:
            kind, text = "kw", text.lower()
        if kind != "space":
            toks.append(Tok(kind, text, pos, m.end()))
        pos = m.end()
    toks.append(Tok("end", "", len(query), len(query)))
    return toks


# --- the parser --------------------------------------------------------------------------

_COMPARISONS = {"=", "==", "!=", "<", "<=", ">", ">=", "=~"}


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.toks = tokenize(query)
        self.i = 0

    @property
    def tok(self) -> Tok:
        return self.toks[self.i]

    def take(self) -> Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def fail(self, message: str, tok: Tok | None = None) -> QueryError:
        tok = tok or self.tok
        return QueryError(message, tok.start, tok.end)

    def accept(self, text: str) -> bool:
        if self.tok.kind in ("op", "kw") and self.tok.text == text:
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            shown = self.tok.text or "end of query"
            raise self.fail(f"expected {text} but found {shown}")

    def text_of(self, start: int) -> str:
        """The query text from token `start` to the current one: an item's default name."""
        return self.query[self.toks[start].start : self.toks[self.i - 1].end].strip()

    # commands

    def query_(self) -> list[Command]:
        commands = [self.command()]
        while self.accept("|"):
            commands.append(self.command())
        if self.tok.kind != "end":
            raise self.fail(f"unexpected symbol found {self.tok.text}")
        return commands

    def command(self) -> Command:
        tok = self.take()
        name = tok.text.lower()
        if tok.kind != "name" or name not in COMMANDS:
            raise self.fail(f"unexpected symbol found {tok.text or 'end of query'}", tok)
        cmd = Command(name)
        if name in ("fields", "display"):
            cmd.items = self.items()
        elif name == "filter":
            cmd.expr = self.expr()
        elif name == "sort":
            while True:
                e = self.expr()
                desc = self.accept("desc")
                if not desc:
                    self.accept("asc")
                cmd.order.append((e, desc))
                if not self.accept(","):
                    break
        elif name == "limit":
            num = self.take()
            if num.kind != "number" or "." in num.text or int(num.text) < 1:
                raise self.fail("limit needs a positive whole number", num)
            cmd.number = int(num.text)
        elif name == "dedup":
            cmd.names = [self.field_name() for _ in self.comma_list()]
        elif name == "parse":
            self.parse_command(cmd)
        else:
            first = self.tok
            cmd.items = self.items()
            if not all(isinstance(e, Call) for e, _ in cmd.items):
                raise self.fail("stats needs aggregate functions such as count(*)", first)
            if self.accept("by"):
                cmd.by = self.items()
        return cmd

    def comma_list(self) -> Any:
        yield None
        while self.accept(","):
            yield None

    def field_name(self) -> str:
        tok = self.take()
        if tok.kind == "name":
            return tok.text
        if tok.kind == "quoted":
            return tok.text[1:-1]
        raise self.fail(f"expected a field name but found {tok.text or 'end of query'}", tok)

    def items(self) -> list[tuple[Any, str]]:
        out = []
        for _ in self.comma_list():
            start = self.i
            e = self.expr()
            name = self.text_of(start)
            if isinstance(e, Field):
                name = e.name
            if self.accept("as"):
                name = self.field_name()
            out.append((e, name))
        return out

    def parse_command(self, cmd: Command) -> None:
        cmd.expr = self.primary()
        tok = self.take()
        if tok.kind == "regex":
            try:
                cmd.pattern = re.compile(re.sub(r"\(\?<(\w+)>", r"(?P<\1>", tok.text))
            except re.error as exc:
                raise self.fail(f"invalid regular expression: {exc}", tok) from None
            if not cmd.pattern.groupindex:
                raise self.fail("a parse regular expression needs named groups", tok)
            cmd.names = list(cmd.pattern.groupindex)
            return
        if tok.kind != "string":
            raise self.fail('parse needs a "glob" pattern or a /regex/', tok)
        glob = _unquote(tok.text)
        stars = glob.count("*")
        if stars == 0:
            raise self.fail("a parse pattern needs at least one *", tok)
        self.expect("as")
        cmd.names = [self.field_name() for _ in self.comma_list()]
        if len(cmd.names) != stars:
            raise self.fail(
                f"the parse pattern has {stars} * but {len(cmd.names)} names follow as", tok
            )
        parts = [re.escape(p) for p in glob.split("*")]
        cmd.pattern = re.compile("(.*?)".join(parts[:-1]) + "(.*)" + parts[-1], re.DOTALL)

    # expressions, loosest first

    def expr(self) -> Any:
        left = self.and_()
        while self.accept("or"):
            left = Binary("or", left, self.and_())
        return left

    def and_(self) -> Any:
        left = self.not_()
        while self.accept("and"):
            left = Binary("and", left, self.not_())
        return left

    def not_(self) -> Any:
        if self.accept("not"):
            return Unary("not", self.not_())
        return self.comparison()

    def comparison(self) -> Any:
        left = self.additive()
        tok = self.tok
        if tok.kind == "op" and tok.text in _COMPARISONS:
            self.i += 1
            op = "=" if tok.text == "==" else tok.text
            return Binary(op, left, self.additive())
        if self.accept("like"):
            return Binary("like", left, self.additive())
        if tok.kind == "kw" and tok.text == "not" and self.toks[self.i + 1].text == "like":
            self.i += 2
            return Binary("notlike", left, self.additive())
        if self.accept("in"):
            self.expect("[")
            values = [self.additive() for _ in self.comma_list()]
            self.expect("]")
            return Binary("in", left, Lit(tuple(values)))
        return left

    def additive(self) -> Any:
        left = self.multiplicative()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            left = Binary(self.take().text, left, self.multiplicative())
        return left

    def multiplicative(self) -> Any:
        left = self.unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/", "%"):
            left = Binary(self.take().text, left, self.unary())
        return left

    def unary(self) -> Any:
        if self.accept("-"):
            return Unary("-", self.unary())
        return self.primary()

    def primary(self) -> Any:
        tok = self.take()
        if tok.kind == "number":
            return Lit(float(tok.text) if "." in tok.text else int(tok.text))
        if tok.kind == "string":
            return Lit(_unquote(tok.text))
        if tok.kind == "regex":
            try:
                return Lit(re.compile(tok.text))
            except re.error as exc:
                raise self.fail(f"invalid regular expression: {exc}", tok) from None
        if tok.kind == "quoted":
            return Field(tok.text[1:-1])
        if tok.kind == "op" and tok.text == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        if tok.kind == "name":
            if self.accept("("):
                return self.call(tok)
            return Field(tok.text)
        raise self.fail(f"unexpected symbol found {tok.text or 'end of query'}", tok)

    def call(self, name: Tok) -> Call:
        fn = name.text.lower()
        if fn == "bin":
            # bin(5m): a period, not an expression.
            num = self.take()
            unit = self.take() if self.tok.kind == "name" else None
            span = _period(num, unit)
            if span is None:
                raise self.fail("bin needs a period such as 5m", num)
            self.expect(")")
            return Call("bin", (Lit(span),))
        if self.accept("*"):
            self.expect(")")
            return Call(fn, (), star=True)
        args: list[Any] = []
        if not self.accept(")"):
            args = [self.expr() for _ in self.comma_list()]
            self.expect(")")
        return Call(fn, tuple(args))


_PERIODS = {
    "ms": 0.001,
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "hr": 3600,
    "d": 86400,
    "w": 604800,
}


def _period(num: Tok, unit: Tok | None) -> float | None:
    """Seconds in `5m` (tokenized as 5, m; or as the one name `5m` never: names cannot
    start with a digit)."""
    if num.kind != "number":
        return None
    factor = _PERIODS.get(unit.text.lower() if unit is not None else "s")
    return float(num.text) * factor if factor else None


def parse(query: str) -> list[Command]:
    """The commands of an Insights query; QueryError where it does not parse."""
    if not query.strip():
        raise QueryError("the query is empty", 0, 0)
    return _Parser(query).query_()
