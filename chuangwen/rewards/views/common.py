"""Shared bits of the rewards views: ids from the query string, services run with their Chinese
refusal turned into messages, and the filters the register and the export share."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError

from chuangwen.evaluation.models import Period
from chuangwen.org.models import Unit
from chuangwen.org.selectors import units_visible_to
from chuangwen.tasks.models import RewardKind


def is_id(raw: str) -> bool:
    # str.isdigit() also accepts "²" and other digits int() refuses.
    return raw.isascii() and raw.isdigit() and 0 < len(raw) < 10


def run(request, func, **kwargs):
    """Call a service as the person; a ValidationError becomes messages and None."""
    try:
        return func(actor=request.user, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return None


def form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}:{error}" if label else error)


@dataclass
class RegisterFilters:
    kind: str = ""
    unit: Unit | None = None
    unit_code: str = ""
    period: Period | None = None
    year: int | None = None
    q: str = ""
    unit_missing: bool = False  # a unit code that is unknown or out of scope: nothing matches

    def selector_kwargs(self) -> dict:
        return {"kind": self.kind, "unit": self.unit, "period": self.period, "year": self.year, "q": self.q}


def register_filters(request) -> RegisterFilters:
    """The register's filters from the query string; anything unknown or out of scope is
    dropped (an unknown unit code filters to nothing, never to everything)."""
    get = request.GET
    f = RegisterFilters()
    kind = get.get("kind", "")
    f.kind = kind if kind in RewardKind.values else ""
    code = get.get("unit", "").strip()[:40].replace("\x00", "")
    if code:
        f.unit_code = code
        f.unit = units_visible_to(request.user).filter(code=code).first()
        f.unit_missing = f.unit is None
    raw = get.get("period", "")
    if is_id(raw):
        f.period = Period.objects.filter(pk=int(raw)).first()
    raw = get.get("year", "")
    if raw.isascii() and raw.isdigit() and len(raw) == 4:
        f.year = int(raw)
    f.q = get.get("q", "").strip()[:50].replace("\x00", "")
    return f
