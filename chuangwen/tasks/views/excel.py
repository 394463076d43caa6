"""The 任务分解表 import and the task ledger export: thin adapters over tasks.excel, which checks
the whole file and applies it through the task services."""

import re

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from chuangwen.accounts.permissions import require_verb
from chuangwen.lib.xlsx import workbook_response
from chuangwen.lib.xlsx_read import MAX_UPLOAD_BYTES, UNREADABLE

from .. import excel
from ..models import Plan
from ..selectors import plans_visible_to


class ImportForm(forms.Form):
    plan = forms.ModelChoiceField(
        label="导入到工作方案", queryset=Plan.objects.none(), empty_label="(请选择)",
        error_messages={"required": "请选择工作方案。", "invalid_choice": "请选择列表中的工作方案。"})
    file = forms.FileField(label="任务分解表(.xlsx)", error_messages={"required": "请选择要导入的文件。"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans_visible_to(user).order_by("-year", "id")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件过大:不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(UNREADABLE)
        return upload


@require_http_methods(["GET", "POST"])
def import_tasks(request):
    require_verb(request.user, "task.manage")
    initial = {}
    raw = request.GET.get("plan", "")
    if _is_id(raw):
        initial["plan"] = plans_visible_to(request.user).filter(pk=int(raw)).first()
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    context, status = {"max_rows": excel.MAX_ROWS}, 200
    if request.method == "POST" and form.is_valid():
        plan, upload = form.cleaned_data["plan"], form.cleaned_data["file"]
        try:
            result = excel.import_tasks(data=upload.read(), plan=plan, actor=request.user,
                                        filename=upload.name)
        except excel.ImportRejected as exc:
            context["row_errors"], status = exc.row_errors, 400
        else:
            messages.success(request, result.summary)
            return redirect("tasks:plan_detail", pk=plan.pk)
    elif request.method == "POST":
        status = 400
    context["form"] = form
    context["plan"] = getattr(form, "cleaned_data", {}).get("plan") or initial.get("plan")
    return render(request, "tasks/import.html", context, status=status)


@require_GET
def export_tasks(request):
    """The ledger of the tasks the person sees (?plan=<id> for one plan); ?template=1 for an
    empty 任务分解表 with its filling guide."""
    require_verb(request.user, "task.export")
    today = f"{timezone.localdate():%Y%m%d}"
    if request.GET.get("template"):
        return workbook_response("任务分解表模板.xlsx", excel.template_sheets())
    plan = None
    raw = request.GET.get("plan", "")
    if raw:
        if not _is_id(raw):
            raise Http404
        plan = get_object_or_404(plans_visible_to(request.user), pk=int(raw))
    title = re.sub(r'[\\/:*?"<>|\s]+', "", plan.title)[:40] if plan else ""
    name = f"任务台账-{plan.year}{title}-{today}.xlsx" if plan else f"任务台账-{today}.xlsx"
    return workbook_response(name, excel.export_ledger(user=request.user, plan=plan))


def _is_id(raw: str) -> bool:
    # str.isdigit() also accepts "²" and other digits int() refuses.
    return raw.isascii() and raw.isdigit() and len(raw) < 10
