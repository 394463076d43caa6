"""Number formats of the score card (one place, so a page and its test agree on the digits)."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


def fmt2(value) -> str:
    """Two decimals, half up (as the scores are rounded)."""
    if value is None or value == "":
        return "—"
    return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@register.filter
def pct(rate) -> str:
    """A 0–1 rate as a percentage with two decimals: 0.3333 → "33.33%"."""
    if rate is None or rate == "":
        return "—"
    return fmt2(Decimal(str(rate)) * 100) + "%"


@register.filter
def num2(value) -> str:
    return fmt2(value)


@register.filter
def signed(value) -> str:
    if value is None or value == "":
        return "—"
    text = fmt2(value)
    return text if text.startswith("-") or Decimal(text) == 0 else "+" + text
