"""Shared bits of the supervision views: query parameters, running a service with its Chinese
refusal turned into messages, and form errors as messages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from chuangwen.org.permissions import can


def run(request, func, **kwargs):
    """Call a service as the person; a ValidationError becomes messages and None."""
    try:
        return func(actor=request.user, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return None


def form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}:{error}" if label else error)


def int_param(request, name: str, *, low: int = 1, high: int = 2**62) -> int | None:
    raw = request.GET.get(name, "")
    if not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def year_param(request) -> int | None:
    return int_param(request, "year", low=2000, high=2100)


def text_param(request, name: str, limit: int = 50) -> str:
    return request.GET.get(name, "").strip()[:limit].replace("\x00", "")


def base_context(request, sub: str) -> dict:
    return {"sub": sub, "can_manage": can(request.user, "supervision.manage"),
            "this_year": timezone.localdate().year}
