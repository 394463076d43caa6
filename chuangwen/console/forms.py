"""Forms of the administrators' pages: they parse input only; the services decide."""

from datetime import datetime, time

from django import forms
from django.utils import timezone

from chuangwen.accounts.roles import Role
from chuangwen.api.services import MAX_DAYS
from chuangwen.audit.models import Outcome
from chuangwen.org.models import Unit
from chuangwen.places.models import DISTRICT_KINDS


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class StyledForm(forms.Form):
    """Bootstrap classes on the widgets, so templates render fields without per-field markup."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = css


class AccountSearchForm(StyledForm):
    STATUS_CHOICES = [("", "全部状态"), ("active", "启用"), ("disabled", "停用")]

    q = forms.CharField(label="用户名或姓名", max_length=50, required=False)
    status = forms.ChoiceField(label="状态", choices=STATUS_CHOICES, required=False)


class AccountCreateForm(StyledForm):
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=60)
    password = forms.CharField(
        label="初始密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少 10 位,含三类字符;首次登录时须修改。",
    )


class ReasonForm(StyledForm):
    reason = forms.CharField(label="原因", max_length=200)


class PasswordResetForm(StyledForm):
    password = forms.CharField(
        label="新的初始密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="本人下次登录时须修改。",
    )


class RolesForm(StyledForm):
    roles = forms.MultipleChoiceField(
        label="角色", choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple,
    )


class MfaRequiredForm(StyledForm):
    required = forms.BooleanField(label="须使用动态口令", required=False)


class PostAppointForm(StyledForm):
    unit_code = forms.CharField(label="单位编码", max_length=32)
    title = forms.CharField(label="职务", max_length=60)
    is_head = forms.BooleanField(label="一把手", required=False)
    is_liaison = forms.BooleanField(label="联络员", required=False)
    valid_from = forms.DateField(label="任职起", required=False, widget=_date())


class PostEndForm(StyledForm):
    on = forms.DateField(label="任职止", required=False, widget=_date())


class TokenIssueForm(StyledForm):
    username = forms.CharField(label="所属人员(用户名)", max_length=150)
    name = forms.CharField(label="用途", max_length=60)
    days = forms.IntegerField(label="有效天数", min_value=1, max_value=MAX_DAYS, initial=90)


class Open311KeyIssueForm(StyledForm):
    name = forms.CharField(label="接入方", max_length=60, help_text="如:上川市12345热线、城东区随手拍小程序")
    days = forms.IntegerField(label="有效天数", min_value=1, max_value=MAX_DAYS, initial=365)
    hourly_limit = forms.IntegerField(label="每小时上报上限", min_value=1, max_value=100000, initial=300)
    can_post = forms.BooleanField(label="允许上报", required=False, initial=True)
    districts = forms.ModelMultipleChoiceField(
        label="限定县区", required=False, widget=forms.CheckboxSelectMultiple, queryset=Unit.objects.none(),
        help_text="不选为全市;选定后只能上报这些县区的问题(用点位编码 address_id 定位)。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].queryset = (
            Unit.objects.active().filter(kind__in=DISTRICT_KINDS).order_by("sort_order", "code"))
        self.fields["districts"].widget.attrs["class"] = "form-check-input"


class AuditFilterForm(StyledForm):
    OUTCOME_CHOICES = [("", "全部结果"), *Outcome.choices]

    event = forms.CharField(label="事件", max_length=64, required=False,
                            help_text="如 login、user.create;以“.”结尾查一类,如 user.")
    actor = forms.CharField(label="操作人", max_length=60, required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=_date())
    date_to = forms.DateField(label="截止日期", required=False, widget=_date())
    outcome = forms.ChoiceField(label="结果", choices=OUTCOME_CHOICES, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError("截止日期不能早于起始日期。")
        return data

    def filters(self) -> dict:
        """The cleaned filters, dates turned into aware datetimes of the local day bounds."""
        data = self.cleaned_data if self.is_valid() else {}
        tz = timezone.get_current_timezone()
        out = {
            "event": (data.get("event") or "").strip(),
            "actor": (data.get("actor") or "").strip(),
            "outcome": data.get("outcome") or "",
            "since": None,
            "until": None,
        }
        if data.get("date_from"):
            out["since"] = datetime.combine(data["date_from"], time.min, tzinfo=tz)
        if data.get("date_to"):
            out["until"] = datetime.combine(data["date_to"], time.max, tzinfo=tz)
        return out

    def query_items(self) -> list[tuple[str, str]]:
        """The filters as query-string pairs (for paging links and the export form)."""
        if not self.is_bound:
            return []
        return [(k, self.data.get(k, "")) for k in self.fields if self.data.get(k)]
