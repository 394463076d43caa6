"""Forms of the evaluation pages; the services validate again (the API calls them directly)."""

from django import forms

from .models import PeriodKind

INT_ATTRS = {"class": "form-control", "inputmode": "numeric", "min": 0, "max": 100}
DECIMAL_ATTRS = {"class": "form-control", "step": "0.01"}


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label="周期类型", choices=PeriodKind.choices,
                             widget=forms.Select(attrs={"class": "form-select"}))
    start = forms.DateField(label="开始日期", help_text="月度从1日开始;季度从1、4、7、10月1日开始;年度从1月1日开始。",
                            widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
                            error_messages={"required": "请填写开始日期。", "invalid": "请填写有效的日期。"})


class WeightsForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    w_tasks = forms.IntegerField(label="任务按期完成率", min_value=0, max_value=100,
                                 widget=forms.NumberInput(attrs=INT_ATTRS))
    w_problem_on_time = forms.IntegerField(label="问题按期结案率", min_value=0, max_value=100,
                                           widget=forms.NumberInput(attrs=INT_ATTRS))
    w_rework = forms.IntegerField(label="问题返工率", min_value=0, max_value=100,
                                  widget=forms.NumberInput(attrs=INT_ATTRS))
    w_handover = forms.IntegerField(label="交账一次验收通过率", min_value=0, max_value=100,
                                    widget=forms.NumberInput(attrs=INT_ATTRS))
    w_mock = forms.IntegerField(label="模拟测评得分率", min_value=0, max_value=100,
                                widget=forms.NumberInput(attrs=INT_ATTRS))
    component_share = forms.IntegerField(label="指标得分占比(%)", min_value=0, max_value=100,
                                         widget=forms.NumberInput(attrs=INT_ATTRS))
    include_subtree = forms.BooleanField(label="含下级单位的记录", required=False,
                                         widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.update({"required": "请填写该项。", "invalid": "请填写整数。",
                                         "min_value": "不能小于 %(limit_value)s。",
                                         "max_value": "不能大于 %(limit_value)s。"})


class RuleForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    points = forms.DecimalField(label="分值", max_digits=6, decimal_places=2,
                                widget=forms.NumberInput(attrs=DECIMAL_ATTRS))
    on_spot_points = forms.DecimalField(label="当场整改分值", max_digits=6, decimal_places=2, required=False,
                                        widget=forms.NumberInput(attrs=DECIMAL_ATTRS))
    is_active = forms.BooleanField(label="启用", required=False,
                                   widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.update({"required": "请填写该项。", "invalid": "请填写数字。",
                                         "max_digits": "数字过长。", "max_decimal_places": "最多两位小数。",
                                         "max_whole_digits": "数字过大。"})
