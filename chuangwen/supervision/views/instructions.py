"""领导批示: the ledger, recording one, and its page (split into tasks, closure)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from chuangwen.attachments.selectors import attachments_for
from chuangwen.org.permissions import require

from .. import selectors, services
from ..forms import InstructionForm
from ..models import ItemStatus
from ..services.instructions import default_fixes
from .common import base_context, int_param, run, text_param, year_param
from .items import handle_close, handle_split, item_context


def _visible(request, pk: int):
    require(request.user, "supervision.view")
    return get_object_or_404(selectors.instructions_visible_to(request.user), pk=pk)


def instruction_list(request):
    require(request.user, "supervision.view")
    year, status, q = year_param(request), text_param(request, "status", 10), text_param(request, "q")
    data = selectors.instruction_page(request.user, year=year, status=status, q=q,
                                      before=int_param(request, "before"))
    return render(request, "supervision/instruction_list.html", {
        **base_context(request, "instructions"), **data, "year": year, "status": status, "q": q,
        "statuses": ItemStatus.choices})


def instruction_new(request):
    require(request.user, "supervision.manage")
    form = InstructionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        item = run(request, services.instruction_create, **form.cleaned_data)
        if item is not None:
            messages.success(request, "批示已登记,请分解任务。")
            return redirect("supervision:instruction_detail", pk=item.pk)
    return render(request, "supervision/instruction_form.html", {**base_context(request, "instructions"),
                                                                 "form": form})


def instruction_detail(request, pk):
    item = _visible(request, pk)
    context = base_context(request, "instructions")
    context.update(item_context(request, item, default_fixes=default_fixes, can_manage=context["can_manage"]))
    context["files"] = attachments_for(services.INSTRUCTION_FILES, [item.pk]).get(item.pk, [])
    return render(request, "supervision/instruction_detail.html", context)


@require_POST
def instruction_split(request, pk):
    item = _visible(request, pk)
    return handle_split(request, item, services.instruction_split, "instruction", item_url(item))


@require_POST
def instruction_close(request, pk):
    item = _visible(request, pk)
    return handle_close(request, item, services.instruction_close, "instruction", item_url(item))


def item_url(item) -> str:
    from django.urls import reverse

    return reverse("supervision:instruction_detail", args=[item.pk])
