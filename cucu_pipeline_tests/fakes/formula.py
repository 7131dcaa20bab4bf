"""Airtable formulas as Airtable evaluates them, for the fake's `filterByFormula`: the functions and operators this
project's reads send, with Airtable's blanks (an empty field is blank, blank text is "", blank never is after a date).

Reference: https://support.airtable.com/docs/formula-field-reference
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<field>\{[^}]*\})
      | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
      | (?P<op>!=|<=|>=|=|<|>|&|\(|\)|,)
    )""",
    re.VERBOSE,
)


class FormulaError(ValueError):
    """What Airtable answers with a 422 `INVALID_FILTER_BY_FORMULA`."""


def _tokens(formula: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(formula.rstrip()):
        match = _TOKEN.match(formula, position)
        if not match:
            raise FormulaError(f"cannot read the formula at {formula[position : position + 20]!r}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _instant(value: Any) -> dt.datetime | None:
    """A date or date-time as Airtable reads text: ISO 8601, a bare date at midnight UTC; else blank."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _compare(operator: str, left: Any, right: Any) -> bool:
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        pair = (left, right)
    else:
        pair = (_text(left), _text(right))
    return {
        "=": pair[0] == pair[1],
        "!=": pair[0] != pair[1],
        "<": pair[0] < pair[1],
        ">": pair[0] > pair[1],
        "<=": pair[0] <= pair[1],
        ">=": pair[0] >= pair[1],
    }[operator]


def _is_after(first: Any, second: Any) -> bool:
    a, b = _instant(first), _instant(second)
    return a is not None and b is not None and a > b


def _find(needle: Any, haystack: Any, start: Any = 1) -> int:
    return _text(haystack).find(_text(needle), max(int(start) - 1, 0)) + 1


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "AND": lambda *values: all(truthy(value) for value in values),
    "OR": lambda *values: any(truthy(value) for value in values),
    "NOT": lambda value: not truthy(value),
    "LOWER": lambda value: _text(value).lower(),
    "UPPER": lambda value: _text(value).upper(),
    "TRIM": lambda value: _text(value).strip(),
    "LEN": lambda value: len(_text(value)),
    "FIND": _find,
    "IS_AFTER": _is_after,
    "IS_BEFORE": lambda first, second: _is_after(second, first),
    "DATETIME_PARSE": lambda value, *_: _instant(value),
    "BLANK": lambda: None,
    "TRUE": lambda: True,
    "FALSE": lambda: False,
}


def truthy(value: Any) -> bool:
    return value not in (None, "", 0, False)


class Record:
    """What a formula reads of a record: its fields and the times Airtable keeps for it."""

    def __init__(self, record: dict, modified: dt.datetime):
        self.record, self.modified = record, modified


def compile_formula(formula: str) -> Callable[[Record], bool]:
    """The formula as a test of one record; a formula Airtable would refuse raises `FormulaError`."""
    tokens = _tokens(formula)
    position = 0

    def peek() -> tuple[str, str] | None:
        return tokens[position] if position < len(tokens) else None

    def take(expected: str | None = None) -> tuple[str, str]:
        nonlocal position
        token = peek()
        if token is None or (expected is not None and token[1] != expected):
            raise FormulaError(f"expected {expected or 'more'} in {formula!r}")
        position += 1
        return token

    def comparison():
        left = concatenation()
        while (token := peek()) and token[0] == "op" and token[1] in ("=", "!=", "<", ">", "<=", ">="):
            operator, right_of = take()[1], concatenation()
            left = (lambda op, lhs, rhs: lambda record: _compare(op, lhs(record), rhs(record)))(
                operator, left, right_of
            )
        return left

    def concatenation():
        left = operand()
        while (token := peek()) and token[1] == "&":
            take()
            right_of = operand()
            left = (lambda lhs, rhs: lambda record: _text(lhs(record)) + _text(rhs(record)))(left, right_of)
        return left

    def operand():
        kind, value = take()
        if kind == "number":
            number = float(value)
            return lambda record: number
        if kind == "string":
            text = re.sub(r"\\(.)", r"\1", value[1:-1])
            return lambda record: text
        if kind == "field":
            name = value[1:-1]
            return lambda record: record.record["fields"].get(name)
        if kind == "op" and value == "(":
            inner = comparison()
            take(")")
            return inner
        if kind == "name":
            return call(value.upper())
        raise FormulaError(f"unexpected {value!r} in {formula!r}")

    def call(name: str):
        take("(")
        arguments = []
        if peek() and peek()[1] != ")":
            arguments.append(comparison())
            while peek() and peek()[1] == ",":
                take()
                arguments.append(comparison())
        take(")")
        if name == "LAST_MODIFIED_TIME":
            return lambda record: record.modified
        if name == "CREATED_TIME":
            return lambda record: _instant(record.record["createdTime"])
        if name == "RECORD_ID":
            return lambda record: record.record["id"]
        if name not in FUNCTIONS:
            raise FormulaError(f"unknown function {name} in {formula!r}")
        function = FUNCTIONS[name]
        return lambda record: function(*(argument(record) for argument in arguments))

    test = comparison()
    if peek() is not None:
        raise FormulaError(f"unexpected {peek()[1]!r} in {formula!r}")
    return lambda record: truthy(test(record))
