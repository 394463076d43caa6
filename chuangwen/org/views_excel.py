"""Excel import and export of the organisation (units, people, posts): thin adapters over
org.excel, which checks the whole file and applies it through the services."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from chuangwen.accounts.permissions import deny
from chuangwen.lib.xlsx import workbook_response
from chuangwen.lib.xlsx_read import MAX_UPLOAD_BYTES, UNREADABLE

from . import excel


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件(.xlsx)", error_messages={"required": "请选择要导入的文件。"})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件过大:不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(UNREADABLE)
        return upload


def links(user) -> dict:
    """Which Excel buttons the unit tree shows."""
    return {"can_import": excel.can_import(user), "can_export": excel.can_export(user)}


@require_http_methods(["GET", "POST"])
def org_import(request):
    if not excel.can_import(request.user):
        deny(request.user, "unit.manage")
    context = {"sheet_verbs": _sheet_rules(request.user)}
    status = 200
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = excel.import_workbook(data=form.cleaned_data["file"].read(), actor=request.user)
        except excel.ImportRejected as exc:
            context["row_errors"], status = exc.row_errors, 400
        except PermissionDenied as exc:
            context["denied"], status = str(exc), 403
        else:
            context["result"] = result
            form = ImportForm()
    elif request.method == "POST":
        status = 400
    context["form"] = form
    return render(request, "org/import.html", context, status=status)


def _sheet_rules(user) -> list[tuple[str, str, bool]]:
    from chuangwen.accounts.permissions import VERB_LABELS, has_verb

    return [(sheet, VERB_LABELS[verb], has_verb(user, verb)) for sheet, verb in excel.SHEET_VERBS.items()]


def org_export(request):
    if not excel.can_export(request.user):
        deny(request.user, "org.export")
    filename = f"组织机构-{timezone.localdate():%Y%m%d}.xlsx"
    return workbook_response(filename, excel.export_workbook(user=request.user))
