"""Forms of the problem pages: the citizen's 随手拍, the staff report, and the action forms.

Units are typed as a code or a name (a select of thousands of units helps no one); categories
are a grouped select (部件/事件 · 大类).  Photos use the attachments app's PhotoField: checked by
content as the form validates, re-encoded without metadata by the service."""

from django import forms
from django.db.models import Q

from chuangwen.attachments.forms import PhotoField
from chuangwen.org.models import Unit

from .models import Category, Severity, Source
from .selectors_pages import DISTRICT_KINDS, category_groups, district_choices

DESCRIPTION_MAX = 1000
ADDRESS_MAX = 200
NOTE_MAX = 1000


class Styled:
    """Bootstrap classes on every widget (the templates render fields generically)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            widget = f.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.HiddenInput)):
                continue
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


def resolve_unit(text: str) -> Unit:
    """An active unit by code, full name or name; a Chinese message for none or several."""
    text = text.strip()
    qs = Unit.objects.active()
    found = (list(qs.filter(code=text)[:2]) or list(qs.filter(full_name=text)[:2])
             or list(qs.filter(Q(name=text) | Q(short_name=text))[:6]))
    if not found:
        raise forms.ValidationError(f"单位“{text}”不存在或已撤销,请填写单位编码或全称。")
    if len(found) > 1:
        names = "、".join(f"{u.full_name}({u.code})" for u in found[:5])
        raise forms.ValidationError(f"单位“{text}”有重名:{names},请填写单位编码。")
    return found[0]


def _category_choices():
    return [("", "请选择问题类别")] + [(label, [(c.code, c.name) for c in cats]) for label, cats in category_groups()]


def _district_choices():
    return [("", "(不清楚可不选)")] + [(u.code, u.name) for u in district_choices()]


class CategoryField(forms.ChoiceField):
    """Active categories as a grouped select; cleans to a Category."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"required": "请选择问题类别。",
                                             "invalid_choice": "请选择问题类别。"})
        # A callable: read when the form renders or validates, never at import.
        super().__init__(choices=_category_choices, **kwargs)

    def clean(self, value):
        code = super().clean(value)
        return Category.objects.filter(code=code, is_active=True).first() if code else None


class DistrictField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=_district_choices, **kwargs)

    def clean(self, value):
        code = super().clean(value)
        return Unit.objects.active().filter(code=code, kind__in=DISTRICT_KINDS).first() if code else None


class LocationMixin:
    """Optional WGS-84 coordinates (a phone's geolocation; nothing to convert) beside a typed
    address; either one locates the problem."""

    def clean_point(self, data):
        from chuangwen.places import geo
        from chuangwen.places.models import Datum
        from chuangwen.places.services import convert_point

        try:
            lng, lat, _ = convert_point(data.get("lng"), data.get("lat"), Datum.WGS84)
        except forms.ValidationError as exc:
            self.add_error(None, exc)
            return data
        if lng is not None and not geo.in_china(float(lng), float(lat)):
            self.add_error(None, "定位不在国内,请手动填写问题地点。")
            return data
        data["lng"], data["lat"] = lng, lat
        return data


class CitizenReportForm(Styled, LocationMixin, forms.Form):
    category = CategoryField(label="问题类别")
    photos = PhotoField(label="现场照片(1-9 张,每张不超过 10 MB)",
                        error_messages={"required": "请至少上传 1 张现场照片。"})
    district = DistrictField(label="所在区县", required=False)
    address = forms.CharField(label="问题地点", max_length=ADDRESS_MAX, required=False,
                              widget=forms.TextInput(attrs={"placeholder": "如:和平路12号公交站旁", "autocomplete": "off"}))
    lng = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    lat = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    description = forms.CharField(
        label="问题描述", max_length=DESCRIPTION_MAX, error_messages={"required": "请描述您看到的问题。"},
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如:路边垃圾堆放多日无人清理"}))
    name = forms.CharField(label="您的称呼(选填)", max_length=30, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label="联系电话(选填,仅工作人员回访时使用)", max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))

    def clean_phone(self):
        from chuangwen.lib.pi import normalise_phone

        phone = self.cleaned_data.get("phone", "").strip()
        return normalise_phone(phone) if phone else ""

    def clean(self):
        data = self.clean_point(super().clean())
        if not data.get("address", "").strip() and data.get("lng") in (None, ""):
            self.add_error("address", "请填写问题地点,或点击“获取当前位置”。")
        return data


class StaffReportForm(Styled, LocationMixin, forms.Form):
    source = forms.ChoiceField(label="来源", initial=Source.INSPECTION,
                               choices=[(v, label) for v, label in Source.choices if v != Source.CITIZEN])
    category = CategoryField(label="问题类别")
    severity = forms.ChoiceField(label="严重程度", choices=Severity.choices, initial=Severity.NORMAL)
    site = forms.CharField(label="点位编码(在登记点位发现的问题填写,按点位责任单位派遣)", max_length=32,
                           required=False)
    district = DistrictField(label="所在区县", required=False)
    address = forms.CharField(label="地点", max_length=ADDRESS_MAX, required=False)
    lng = forms.CharField(label="经度(WGS-84,选填)", required=False, max_length=20)
    lat = forms.CharField(label="纬度(WGS-84,选填)", required=False, max_length=20)
    description = forms.CharField(label="问题描述", max_length=DESCRIPTION_MAX,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotoField(label="现场照片(最多 9 张)", required=False)

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The sites the reporter may name (places.selectors): a site outside them reads as unknown.
        self.sites = sites

    def clean_site(self):
        code = self.cleaned_data.get("site", "").strip()
        if not code:
            return None
        site = self.sites.filter(code=code).select_related("district", "responsible_unit").first() \
            if self.sites is not None else None
        if site is None:
            raise forms.ValidationError(f"点位“{code}”不存在,请核对点位编码。")
        if not site.is_active:
            raise forms.ValidationError(f"点位“{site}”已停用。")
        return site

    def clean(self):
        return self.clean_point(super().clean())


# --- actions ------------------------------------------------------------------------------------

class NoteForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label="说明", max_length=NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    unit = forms.CharField(label="责任单位(编码或全称,留空则按建议)", max_length=200, required=False)
    severity = forms.ChoiceField(label="严重程度", choices=Severity.choices)

    def clean_unit(self):
        text = self.cleaned_data.get("unit", "")
        return resolve_unit(text) if text.strip() else None


class SubmitForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label="整改情况", max_length=NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    photos = PhotoField(label="整改后照片", required=False)


class DeskActionForm(forms.Form):
    """The desk's bulk form: ticked ids, and a unit (blank: each problem's suggestion) or a
    void reason.  Each row's version travels as v<id>."""

    ids = forms.TypedMultipleChoiceField(coerce=int, error_messages={"required": "请勾选要办理的问题。"})
    unit = forms.CharField(max_length=200, required=False)
    reason = forms.CharField(max_length=NOTE_MAX, required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        raw = data.getlist("ids") if data is not None else []
        self.fields["ids"].choices = [(v, v) for v in raw if str(v).isdigit()][:200]

    def clean_unit(self):
        text = self.cleaned_data.get("unit", "")
        return resolve_unit(text) if text.strip() else None

    def versions(self) -> dict[int, int]:
        out = {}
        for pk in self.cleaned_data.get("ids", []):
            raw = self.data.get(f"v{pk}", "")
            if raw.isdigit():
                out[pk] = int(raw)
        return out


# --- extensions and public replies ------------------------------------------------------------------

class ExtensionRequestForm(Styled, forms.Form):
    """A new deadline as a date: the working day's close (17:30) is the deadline on that day,
    as the time-limit table's day limits are."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    new_date = forms.DateField(label="申请延至(日期)", widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": "请选择申请延至的日期。", "invalid": "日期格式应为 年-月-日。"})
    reason = forms.CharField(label="延期理由", max_length=NOTE_MAX, error_messages={"required": "请填写延期理由。"},
                             widget=forms.Textarea(attrs={"rows": 2}))

    def new_deadline(self):
        from datetime import datetime, time

        from django.utils import timezone

        return timezone.make_aware(datetime.combine(self.cleaned_data["new_date"], time(17, 30)))


class ReplyForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(label="公开答复(市民在查询页可见,勿写个人信息)", max_length=500,
                           error_messages={"required": "请填写答复内容。"}, widget=forms.Textarea(attrs={"rows": 2}))
