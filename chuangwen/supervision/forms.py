"""Forms of the supervision pages.  Units are typed as codes or names (tasks.forms.resolve_unit
explains an unknown or ambiguous one); the split form proposes the five fixes."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from chuangwen.accounts.roles import Role
from chuangwen.attachments.forms import MultipleFileField, PhotoField
from chuangwen.org.models import WorkGroup
from chuangwen.places.models import Site
from chuangwen.problems.forms import CategoryField, DistrictField
from chuangwen.problems.models import Severity
from chuangwen.tasks.forms import DateInput, Styled, parse_milestones, resolve_unit
from chuangwen.tasks.models import RewardPolicy

from .models import MeetingKind, VisitKind

SEPARATORS = r"[、,,;;\s]+"
FILES_LABEL = "附件(PDF、Word、图片,单个不超过 20 MB)"


def _split_codes(text: str) -> list[str]:
    return [p for p in re.split(SEPARATORS, text or "") if p]


def _people(role: str):
    return get_user_model().objects.with_role(role).filter(is_active=True).order_by("full_name")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class InstructionForm(Styled, forms.Form):
    leader = PersonChoiceField(label="批示领导", queryset=_people(Role.LEADER), empty_label="(请选择)",
                               error_messages={"required": "请选择批示领导。", "invalid_choice": "请选择批示领导。"})
    date = forms.DateField(label="批示日期", widget=DateInput, initial=timezone.localdate)
    title = forms.CharField(label="批示事项(来文标题)", max_length=200)
    text = forms.CharField(label="批示内容", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    doc_number = forms.CharField(label="来文文号", max_length=100, required=False)
    files = MultipleFileField(label="来文及批示件(" + FILES_LABEL + ")", required=False)


class SplitForm(Styled, forms.Form):
    """分解: the units and the five fixes every task of the split shares."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    units = forms.CharField(label="承办单位(编码或全称,多个用顿号分隔,每个单位一项任务)", max_length=4000,
                            error_messages={"required": "请填写承办单位。"})
    deadline = forms.DateField(label="完成时限", widget=DateInput, error_messages={"required": "请确定完成时限。"})
    title = forms.CharField(label="任务名称", max_length=200)
    content = forms.CharField(label="任务内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    standard = forms.CharField(label="对应要求/测评标准", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    milestones = forms.CharField(label="节点(每行一个:名称:日期,选填)", widget=forms.Textarea(attrs={"rows": 2}),
                                 required=False)
    criteria = forms.CharField(label="考评标准", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    points = forms.DecimalField(label="分值", min_value=0, max_digits=6, decimal_places=2)
    policy = forms.ModelChoiceField(label="奖惩规则", queryset=RewardPolicy.objects.filter(is_active=True),
                                    empty_label="(请选择)", error_messages={"required": "请选择奖惩规则。"})
    work_group = forms.ModelChoiceField(label="工作组", queryset=WorkGroup.objects.all(), required=False,
                                        empty_label="(无)")
    issue = forms.BooleanField(label="立即下达(不勾选则保存为草稿,在任务页修改后下达)", required=False, initial=True)

    def clean_units(self):
        units, errors = [], []
        for part in _split_codes(self.cleaned_data.get("units", "")):
            try:
                unit = resolve_unit(part)
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
                continue
            if unit not in units:
                units.append(unit)
        if errors:
            raise forms.ValidationError(errors)
        if not units:
            raise forms.ValidationError("请填写承办单位。")
        return units

    def clean(self):
        data = super().clean()
        try:
            data["milestone_list"] = parse_milestones(data.get("milestones", ""), data.get("deadline"))
        except forms.ValidationError as exc:
            self.add_error("milestones", exc)
        return data


class CloseForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label="办结意见", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                           error_messages={"required": "请填写办结意见。"})


class MeetingForm(Styled, forms.Form):
    kind = forms.ChoiceField(label="会议类型", choices=MeetingKind.choices)
    date = forms.DateField(label="会议日期", widget=DateInput, initial=timezone.localdate)
    title = forms.CharField(label="会议名称", max_length=200)
    chair = PersonChoiceField(label="主持人", queryset=get_user_model().objects.none(), empty_label="(请选择)",
                              error_messages={"required": "请选择主持人。", "invalid_choice": "请选择主持人。"})
    attendees = forms.CharField(label="参会人员", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                                required=False)
    place = forms.CharField(label="会议地点", max_length=200, required=False)
    doc_number = forms.CharField(label="纪要文号", max_length=100, required=False)
    decisions = forms.CharField(label="议定事项(每行一项,选填,也可登记后逐项添加)",
                                widget=forms.Textarea(attrs={"rows": 4}), max_length=20000, required=False)
    files = MultipleFileField(label="会议纪要(" + FILES_LABEL + ")", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Leaders chair most meetings; the HQ office director chairs the 调度会.
        chairs = Q(pk__in=_people(Role.LEADER).values("pk")) | Q(pk__in=_people(Role.HQ_STAFF).values("pk"))
        self.fields["chair"].queryset = get_user_model().objects.filter(chairs).order_by("full_name")

    def clean_decisions(self):
        return [line.strip() for line in self.cleaned_data.get("decisions", "").splitlines() if line.strip()]


class DecisionForm(Styled, forms.Form):
    text = forms.CharField(label="议定事项", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                           error_messages={"required": "请填写议定事项内容。"})


class VisitForm(Styled, forms.Form):
    kind = forms.ChoiceField(label="视察类型", choices=VisitKind.choices)
    date = forms.DateField(label="视察日期", widget=DateInput, initial=timezone.localdate)
    title = forms.CharField(label="视察主题", max_length=200)
    members = forms.CharField(label="参加人员", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                              error_messages={"required": "请填写参加视察的人员。"})
    member_accounts = forms.CharField(label="参加人员账号(选填,代表委员凭账号查看本次视察)", max_length=2000,
                                      required=False)
    sites = forms.CharField(label="视察点位(点位编码,多个用顿号分隔)", max_length=4000, required=False)
    summary = forms.CharField(label="视察意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                              required=False)

    def clean_member_accounts(self):
        names = _split_codes(self.cleaned_data.get("member_accounts", ""))
        people = {u.username: u for u in get_user_model().objects.filter(username__in=names, is_active=True)}
        unknown = [n for n in names if n not in people]
        if unknown:
            raise forms.ValidationError("以下账号不存在或已停用:" + "、".join(unknown))
        return [people[n] for n in dict.fromkeys(names)]

    def clean_sites(self):
        codes = _split_codes(self.cleaned_data.get("sites", ""))
        sites = {s.code: s for s in Site.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in sites]
        if unknown:
            raise forms.ValidationError("以下点位编码不存在:" + "、".join(unknown))
        return [sites[c] for c in dict.fromkeys(codes)]


class FindingForm(Styled, forms.Form):
    description = forms.CharField(label="发现的问题", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                                  error_messages={"required": "请描述发现的问题。"})
    category = CategoryField(label="问题类别")
    severity = forms.ChoiceField(label="严重程度", choices=Severity.choices, initial=Severity.NORMAL)
    site = forms.CharField(label="点位编码(在登记点位发现的填写,按点位责任单位派遣)", max_length=32, required=False)
    district = DistrictField(label="所在区县", required=False)
    address = forms.CharField(label="地点", max_length=200, required=False)
    raised_by = forms.CharField(label="提出人(选填)", max_length=100, required=False)
    assign_to = forms.CharField(label="直接交办给(单位编码或全称,留空则进入待交办)", max_length=200, required=False)
    photos = PhotoField(label="现场照片(最多 9 张)", required=False)

    def __init__(self, *args, visit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = visit

    def clean_site(self):
        code = self.cleaned_data.get("site", "").strip()
        if not code:
            return None
        site = Site.objects.filter(code=code).select_related("district").first()
        if site is None:
            raise forms.ValidationError(f"点位“{code}”不存在,请核对点位编码。")
        return site

    def clean_assign_to(self):
        text = self.cleaned_data.get("assign_to", "").strip()
        return resolve_unit(text) if text else None
