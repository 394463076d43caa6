"""Forms of the task pages.  Units are typed as a code or a name (a select of 3,000 units helps
no one); `resolve_unit` explains an unknown or ambiguous entry in Chinese."""

import re
from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from chuangwen.attachments.forms import MultipleFileField
from chuangwen.org.models import Post, Unit, WorkGroup

from .models import Plan, RewardPolicy

FILES_LABEL = "附件(图片、PDF、Office 文档,单个不超过 20 MB)"
MILESTONE_LINE = re.compile(r"^\s*(?P<title>.+?)\s*[::]\s*(?P<due>\d{4}-\d{1,2}-\d{1,2})\s*$")


def resolve_unit(text: str, *, within: Unit | None = None) -> Unit:
    text = text.strip()
    qs = Unit.objects.active()
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    found = list(qs.filter(code=text)[:2]) or list(qs.filter(full_name=text)[:2]) or list(
        qs.filter(Q(name=text) | Q(short_name=text))[:6])
    if not found:
        raise forms.ValidationError(f"单位“{text}”不存在或已撤销,请填写单位编码或全称。")
    if len(found) > 1:
        names = "、".join(f"{u.full_name}({u.code})" for u in found[:5])
        raise forms.ValidationError(f"单位“{text}”有重名:{names},请填写单位编码。")
    return found[0]


def resolve_person(text: str, unit: Unit | None):
    text = text.strip()
    people = get_user_model().objects.filter(is_active=True).filter(Q(username=text) | Q(full_name=text))
    if unit is not None:
        people = people.filter(pk__in=Post.objects.current().filter(unit=unit).values("person_id"))
    found = list(people[:3])
    if not found:
        raise forms.ValidationError(f"“{text}”不是牵头单位的在职人员。")
    if len(found) > 1:
        raise forms.ValidationError(f"牵头单位有多名“{text}”,请填写账号。")
    return found[0]


def parse_milestones(text: str, deadline: date | None) -> list[dict]:
    result = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = MILESTONE_LINE.match(line)
        if not m:
            raise forms.ValidationError(f"节点第{n}行格式应为“节点名称:2026-10-15”。")
        try:
            due = date.fromisoformat("-".join(f"{int(p):02d}" for p in m["due"].split("-")))
        except ValueError as exc:
            raise forms.ValidationError(f"节点第{n}行的日期无效。") from exc
        if deadline and due > deadline:
            raise forms.ValidationError(f"节点“{m['title']}”的时限不能晚于完成时限。")
        result.append({"title": m["title"][:200], "due": due})
    return result


class DateInput(forms.DateInput):
    input_type = "date"


class Styled:
    """Bootstrap classes on every widget (the templates render fields generically)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")


class PlanForm(Styled, forms.ModelForm):
    files = MultipleFileField(label="方案文件(PDF 或 Word)", required=False)

    class Meta:
        model = Plan
        fields = ["year", "title", "doc_number", "goals", "requires_signoff"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 4})}


class TaskForm(Styled, forms.Form):
    """Every five-fixes field of a draft; `live=True` keeps those an issued task may change."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label="任务名称", max_length=200)
    content = forms.CharField(label="任务内容", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    standard = forms.CharField(label="对应测评标准", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    deadline = forms.DateField(label="完成时限", widget=DateInput, required=False)
    milestones = forms.CharField(label="节点(每行一个:名称:日期)", widget=forms.Textarea(attrs={"rows": 3}),
                                 required=False)
    lead_unit = forms.CharField(label="牵头单位(编码或全称)", max_length=200, required=False)
    cooperating_units = forms.CharField(label="配合单位(编码或全称,用顿号或逗号分隔)", max_length=2000, required=False)
    responsible = forms.CharField(label="责任人(默认为牵头单位一把手)", max_length=100, required=False)
    criteria = forms.CharField(label="考评标准", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    points = forms.DecimalField(label="分值", min_value=0, max_digits=6, decimal_places=2, required=False)
    weight = forms.DecimalField(label="权重", min_value=0.01, max_digits=6, decimal_places=2, initial=1)
    policy = forms.ModelChoiceField(label="奖惩规则", queryset=RewardPolicy.objects.filter(is_active=True),
                                    required=False, empty_label="(请选择)")
    work_group = forms.ModelChoiceField(label="工作组", queryset=WorkGroup.objects.all(), required=False,
                                        empty_label="(无)")

    LIVE_FIELDS = ("version", "title", "content", "standard", "criteria", "points", "weight", "work_group")

    def __init__(self, *args, live: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.live = live
        if live:
            for name in list(self.fields):
                if name not in self.LIVE_FIELDS:
                    del self.fields[name]

    def clean_lead_unit(self):
        text = self.cleaned_data.get("lead_unit", "")
        return resolve_unit(text) if text.strip() else None

    def clean_cooperating_units(self):
        parts = [p for p in re.split(r"[、,,;;\s]+", self.cleaned_data.get("cooperating_units", "")) if p]
        return [resolve_unit(p) for p in parts]

    def clean(self):
        data = super().clean()
        if self.live:
            return data
        data["milestone_list"] = parse_milestones(data.get("milestones", ""), data.get("deadline"))
        if data.get("responsible", "").strip():
            try:
                data["responsible_person"] = resolve_person(data["responsible"], data.get("lead_unit"))
            except forms.ValidationError as exc:
                self.add_error("responsible", exc)
        return data

    def service_fields(self) -> dict:
        d = self.cleaned_data
        fields = {k: d.get(k) for k in ("title", "content", "standard", "criteria", "points", "weight", "work_group")}
        fields["content"] = fields["content"] or ""
        fields["standard"] = fields["standard"] or ""
        fields["criteria"] = fields["criteria"] or ""
        if not self.live:
            fields.update(deadline=d.get("deadline"), lead_unit=d.get("lead_unit"), policy=d.get("policy"),
                          responsible_person=d.get("responsible_person"))
        return fields


class ProgressForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    percent = forms.IntegerField(label="完成进度(%)", min_value=0, max_value=100)
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label="存在问题", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    next_steps = forms.CharField(label="下步打算", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    milestones_done = forms.TypedMultipleChoiceField(label="本次完成的节点", coerce=int, required=False,
                                                     widget=forms.CheckboxSelectMultiple)
    files = MultipleFileField(label=FILES_LABEL, required=False)

    def __init__(self, *args, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        if task is not None:
            self.fields["milestones_done"].choices = [
                (m.pk, f"{m.title}({m.due})") for m in task.milestones.filter(done_at__isnull=True)]
        if not self.fields["milestones_done"].choices:
            del self.fields["milestones_done"]


class DecomposeForm(Styled, forms.Form):
    units = forms.TypedMultipleChoiceField(label="下达给", coerce=int, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    other_units = forms.CharField(label="其他下级单位(编码或全称,用顿号分隔)", required=False, max_length=4000)
    deadline = forms.DateField(label="完成时限(不晚于本任务)", widget=DateInput, required=False)
    title = forms.CharField(label="任务名称(留空沿用本任务)", max_length=200, required=False)
    content = forms.CharField(label="任务内容(留空沿用本任务)", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    CHILDREN_SHOWN = 200

    def __init__(self, *args, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        children = Unit.objects.active().filter(parent=task.lead_unit).order_by("sort_order", "code")
        self.fields["units"].choices = [(u.pk, u.name) for u in children[: self.CHILDREN_SHOWN]]

    def clean(self):
        data = super().clean()
        units = list(Unit.objects.filter(pk__in=data.get("units") or []).order_by("sort_order", "code"))
        parts = [p for p in re.split(r"[、,,;;\s]+", data.get("other_units", "")) if p]
        for p in parts:
            try:
                u = resolve_unit(p, within=self.task.lead_unit)
            except forms.ValidationError as exc:
                self.add_error("other_units", exc)
                continue
            if u not in units:
                units.append(u)
        if not units and not self.errors:
            raise forms.ValidationError("请选择要分解下达的单位。")
        data["unit_list"] = units
        return data


class HandoverForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    summary = forms.CharField(label="交账内容(完成情况、成效、佐证材料说明)", widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=FILES_LABEL, required=False)


class NoteForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label="意见/理由", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class ExtensionForm(Styled, forms.Form):
    new_deadline = forms.DateField(label="申请延期至", widget=DateInput)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
