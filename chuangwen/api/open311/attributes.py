"""Answers to a service's attributes: `attribute[CODE]=value` and, for a multivaluelist,
`attribute[CODE][]=v1&attribute[CODE][]=v2` (repeating `attribute[CODE]` works too).

Plain Python over the posted pairs, tested without a database.  Every problem is reported
(Chinese first, the spec's words after), so a client fixes them all at once.
"""

import math
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from .dates import DateError, parse_w3c

STRING_MAX = 200
TEXT_MAX = 2000
QUESTION_MARKS = "??"  # a question's own mark, before "question:answer"
_KEY = re.compile(r"^attribute\[([^\[\]]{1,40})\](\[\])?$")


class Answers:
    """The validated answers: `values` (code -> JSON value, stored) and `lines` ("question:answer"
    for the problem's description, in attribute order)."""

    def __init__(self):
        self.values: dict = {}
        self.lines: list[str] = []


def posted_attributes(pairs) -> dict[str, list[str]]:
    """code -> the values posted for it, from (key, [values]) pairs such as QueryDict.lists()."""
    found: dict[str, list[str]] = {}
    for key, values in pairs:
        match = _KEY.match(key)
        if match:
            found.setdefault(match.group(1), []).extend(values)
    return found


def _number(raw: str) -> int | float:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite():
        raise ValueError
    number = float(value)
    if not math.isfinite(number):
        raise ValueError
    return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else number


def _one(attribute, values: list[str]) -> tuple[object, str]:
    """(stored value, shown text) for one attribute's non-empty posted values; ValueError with
    a message otherwise."""
    code, label = attribute.code, attribute.description
    if attribute.datatype == "multivaluelist":
        names = attribute.value_names()
        unknown = [v for v in values if v not in names]
        if unknown:
            raise ValueError(f"“{label}”没有选项 {'、'.join(unknown)}。"
                             f"(attribute[{code}]: {', '.join(unknown)} is not a valid key)")
        keys = list(dict.fromkeys(values))
        return keys, "、".join(names[k] for k in keys)
    if len(values) > 1:
        raise ValueError(f"“{label}”只能填写一个值。(attribute[{code}] takes a single value)")
    raw = values[0]
    if attribute.datatype == "singlevaluelist":
        names = attribute.value_names()
        if raw not in names:
            raise ValueError(f"“{label}”没有选项 {raw}。(attribute[{code}]: {raw} is not a valid key)")
        return raw, names[raw]
    if attribute.datatype == "number":
        try:
            number = _number(raw)
        except ValueError:
            raise ValueError(f"“{label}”须为数字。(attribute[{code}] must be a number)") from None
        return number, str(number)
    if attribute.datatype == "datetime":
        try:
            moment: datetime = parse_w3c(raw)
        except DateError:
            raise ValueError(f"“{label}”须为带时区的日期时间,如 2026-09-16T09:30:00+08:00。"
                             f"(attribute[{code}] must be a W3C datetime with a time zone)") from None
        local = timezone.localtime(moment).isoformat(timespec="seconds")
        return local, local.replace("T", " ")[:16]
    text = raw.strip()
    if attribute.datatype == "string":
        if "\n" in text or "\r" in text:
            raise ValueError(f"“{label}”须为一行文字。(attribute[{code}] must be a single line)")
        limit = STRING_MAX
    else:  # text
        limit = TEXT_MAX
    if len(text) > limit:
        raise ValueError(f"“{label}”不能超过 {limit} 字。(attribute[{code}] is longer than {limit} characters)")
    return text, text


def validate_answers(attributes, posted: dict[str, list[str]]) -> tuple[Answers, list[str]]:
    """Check the posted answers against the service's attributes (in their order).  Returns the
    answers and the error messages (empty when all is well)."""
    answers, errors = Answers(), []
    by_code = {a.code: a for a in attributes}
    for code in posted:
        if code not in by_code:
            errors.append(f"该服务没有附加信息 {code}。(attribute[{code}] is not an attribute of this service)")
    for attribute in attributes:
        if not attribute.variable:
            continue  # information for the reporter; nothing to answer
        values = [v for v in posted.get(attribute.code, []) if v.strip()]
        if not values:
            if attribute.required:
                errors.append(f"请填写“{attribute.description}”。"
                              f"(attribute[{attribute.code}] is required)")
            continue
        try:
            stored, shown = _one(attribute, values)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        answers.values[attribute.code] = stored
        answers.lines.append(f"{attribute.description.rstrip(QUESTION_MARKS)}:{shown}")
    return answers, errors
