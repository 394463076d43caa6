"""What every console view shares: the landing page and turning a service's refusal into a
message."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render

from chuangwen.audit.log import record
from chuangwen.audit.models import Outcome

from ..permissions import console_verbs


def index(request):
    verbs = console_verbs(request.user)
    if not verbs:
        record("permission.denied", actor=request.user, outcome=Outcome.DENIED,
               changes={"verb": [None, "console"]})
        raise PermissionDenied("没有进入三员管理的权限。")
    return render(request, "console/index.html", {"verbs": verbs})


def run_service(request, func, **kwargs):
    """Call a service with the acting person; a ValidationError becomes an error message and
    the result None, so the view can redirect back."""
    try:
        return func(actor=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
        return None


def form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}:{error}" if label else error)
