"""Forms of the rewards pages: confirming and dismissing a proposal, the rules and the ladder.
They parse; the services decide (and say no in Chinese)."""

from django import forms

from chuangwen.tasks.models import RewardKind

from .models import PENALTY_KINDS, Rule
from .services.decisions import DOC_NUMBER_MAX, REASON_MAX


class Styled:
    """Bootstrap classes on every widget (the templates render fields generically)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")


class ConfirmForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label="奖惩事由(可修改)", max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "请填写奖惩事由。"})
    doc_number = forms.CharField(label="发文字号", max_length=DOC_NUMBER_MAX, required=False,
                                 help_text="如:上创文指〔2026〕12号。")


class DismissForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label="不予采纳的理由", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "请填写不予采纳的理由。"})


RULE_EDIT_FIELDS = ["name", "kind", "group", "period_kind", "n", "consecutive", "days", "description",
                    "is_active"]


class RuleForm(Styled, forms.ModelForm):
    """A new rule (code and trigger chosen once) or an edit (`creating=False`)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Rule
        fields = ["code", "trigger", *RULE_EDIT_FIELDS]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["code"], self.fields["trigger"]
        self.fields["kind"].required = False

    def _post_clean(self):
        # The service validates the rule (after clearing what its trigger does not use).
        pass


class LadderForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    rung1 = forms.ChoiceField(label="第一级", required=False)
    rung2 = forms.ChoiceField(label="第二级", required=False)
    rung3 = forms.ChoiceField(label="第三级", required=False)
    rung4 = forms.ChoiceField(label="第四级", required=False)
    window_months = forms.IntegerField(label="统计期(月)", min_value=1, max_value=60,
                                       error_messages={"required": "请填写统计期。"})
    is_active = forms.BooleanField(label="启用逐级升级", required=False)

    RUNGS = ("rung1", "rung2", "rung3", "rung4")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(RewardKind.choices)
        choices = [("", "(无)"), *((k, labels[k]) for k in PENALTY_KINDS)]
        for name in self.RUNGS:
            self.fields[name].choices = choices

    @classmethod
    def initial_for(cls, ladder) -> dict:
        rungs = list(ladder.rungs) + [""] * len(cls.RUNGS)
        return {"version": ladder.version, "window_months": ladder.window_months,
                "is_active": ladder.is_active, **{name: rungs[i] for i, name in enumerate(cls.RUNGS)}}

    def rungs(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.RUNGS if self.cleaned_data.get(name)]
