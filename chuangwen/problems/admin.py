"""Problem categories with their time limits, and the routing table, in the admin site for HQ
staff (problem.configure).  Saving goes through the services (validated, audited, refused when
someone else saved the row since the form was opened); categories are retired, never deleted;
a routing rule is deleted through its service."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.accounts.permissions import has_verb
from chuangwen.org.models import Unit

from .models import Category, LimitUnit, RoutingRule, Severity, TimeLimit
from .services import catalogue as services

STALE_HELP = "打开本页时记录的状态;他人在此之后修改过,保存会被拒绝。"


def _allowed(request) -> bool:
    return has_verb(request.user, services.CONFIGURE)


def _call(admin_obj, request, func, **kwargs):
    """A service call from a save: a refusal the form could not foresee (a race) is shown and
    the request refused, as the other admin pages do; the form's own checks come first."""
    try:
        return func(actor=request.user, **kwargs)
    except ValidationError as exc:
        admin_obj.message_user(request, ";".join(exc.messages), level=messages.ERROR)
        raise PermissionDenied(";".join(exc.messages)) from exc


class FingerprintForm(forms.ModelForm):
    """Carries the row's fingerprint from the moment the form was rendered."""

    expected = forms.CharField(widget=forms.HiddenInput, required=False, help_text=STALE_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected"].initial = services.fingerprint(self.instance if self.instance.pk else None)

    def check_not_stale(self) -> None:
        if self.instance.pk is None or "expected" not in self.cleaned_data:
            return
        current = type(self.instance).objects.filter(pk=self.instance.pk).first()
        if self.cleaned_data["expected"] != services.fingerprint(current):
            raise ValidationError(services.STALE)


class ConfigureAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return _allowed(request)

    def has_view_permission(self, request, obj=None):
        return _allowed(request)

    def has_add_permission(self, request):
        return _allowed(request)

    def has_change_permission(self, request, obj=None):
        return _allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        if not self.has_delete_permission(request):
            actions.pop("delete_selected", None)
        return actions


# --- categories and their time limits -----------------------------------------------------------


class TimeLimitForm(FingerprintForm):
    class Meta:
        model = TimeLimit
        fields = ("severity", "amount", "unit")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The severity is the row's key: change the amount, not which severity it is.
            self.fields["severity"].disabled = True
        self.fields["unit"].initial = LimitUnit.DAYS

    def clean(self):
        data = super().clean()
        if data.get("amount") is not None and data.get("unit"):
            try:
                services.check_limit(data["amount"], data["unit"])
            except ValidationError as exc:
                self.add_error("amount", exc)
        self.check_not_stale()
        return data


class TimeLimitInline(admin.TabularInline):
    model = TimeLimit
    form = TimeLimitForm
    can_delete = False
    max_num = 3  # one row per severity
    extra = 0
    verbose_name = "处置时限"
    verbose_name_plural = "处置时限(一般、较重、紧急;新时限用于此后交办的问题)"

    def get_extra(self, request, obj=None, **kwargs):
        have = obj.limits.count() if obj is not None and obj.pk else 0
        return max(0, self.max_num - have)

    def has_view_permission(self, request, obj=None):
        return _allowed(request)

    def has_add_permission(self, request, obj=None):
        return _allowed(request)

    def has_change_permission(self, request, obj=None):
        return _allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False


class CategoryForm(FingerprintForm):
    class Meta:
        model = Category
        fields = ("code", "name", "kind", "group", "sort_order", "is_active")
        help_texts = {"is_active": "停用后不能再以此类别上报;已有问题不受影响。类别不能删除。"}

    def clean(self):
        data = super().clean()
        self.check_not_stale()
        return data


@admin.register(Category)
class CategoryAdmin(ConfigureAdmin):
    form = CategoryForm
    inlines = (TimeLimitInline,)
    list_display = ("code", "name", "kind", "group", "sort_order", "is_active")
    list_filter = ("kind", "is_active", "group")
    search_fields = ("code", "name", "group")

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """The empty time-limit rows start on the severities still missing."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        have = set(obj.limits.values_list("severity", flat=True)) if obj.pk else set()
        kwargs["initial"] = [{"severity": s, "unit": LimitUnit.DAYS}
                             for s in Severity.values if s not in have]
        return kwargs

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("code", "name", "kind", "group", "sort_order")
        return ("code", "name", "kind", "group", "sort_order", "is_active", "expected")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {k: data[k] for k in ("name", "kind", "group") if k in data}
        fields["sort_order"] = data.get("sort_order") or 0
        if not change:
            obj.pk = _call(self, request, services.category_create, code=data["code"], **fields).pk
            return
        fields["is_active"] = data.get("is_active", obj.is_active)
        current = Category.objects.get(pk=obj.pk)
        _call(self, request, services.category_update, category=current, expected=data.get("expected"),
              **fields)

    def save_formset(self, request, form, formset, change):
        category = Category.objects.get(pk=form.instance.pk)
        # What formset.save() would note, for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed() or not getattr(row, "cleaned_data", None):
                continue
            data = row.cleaned_data
            existed = row.instance.pk is not None
            severity = row.instance.severity if existed else data["severity"]
            limit = _call(self, request, services.time_limit_set, category=category, severity=severity,
                          amount=data["amount"], unit=data["unit"], expected=data.get("expected"))
            if existed:
                formset.changed_objects.append((limit, [f for f in row.changed_data if f != "expected"]))
            else:
                formset.new_objects.append(limit)


# --- the routing table --------------------------------------------------------------------------


class RoutingRuleForm(FingerprintForm):
    class Meta:
        model = RoutingRule
        fields = ("category", "district", "unit")
        help_texts = {
            "district": "县(市、区)或开发区。",
            "unit": "该区县所属单位或市直单位;在点位发现的问题仍优先交点位的责任单位。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "district" in self.fields:
            self.fields["district"].queryset = (Unit.objects.active().filter(kind__in=services.DISTRICT_KINDS)
                                                .order_by("sort_order", "code"))

    def validate_unique(self):
        """The (category, district) pair is checked in `clean`, with a message that says what to do."""

    def clean(self):
        data = super().clean()
        category = data.get("category") or getattr(self.instance, "category", None)
        district = data.get("district") or getattr(self.instance, "district", None)
        unit = data.get("unit")
        if self.instance.pk is None and category and district and RoutingRule.objects.filter(
                category=category, district=district).exists():
            raise ValidationError(f"“{category.name}”在{district}已有派遣规则,请修改那条规则。")
        if district is not None and unit is not None:
            services.check_route(district, unit)
        self.check_not_stale()
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(ConfigureAdmin):
    form = RoutingRuleForm
    list_display = ("category", "district", "unit")
    list_filter = (("district", admin.RelatedOnlyFieldListFilter), "category__group")
    search_fields = ("category__name", "category__code", "district__name", "unit__name", "unit__code")
    list_select_related = ("category", "district", "unit")
    raw_id_fields = ("unit",)
    ordering = ("district__sort_order", "category__kind", "category__sort_order")

    def has_delete_permission(self, request, obj=None):
        return _allowed(request)

    def get_fields(self, request, obj=None):
        return ("category", "district", "unit", *(("expected",) if obj else ()))

    def get_readonly_fields(self, request, obj=None):
        # Another category or district is another rule: add it, and delete this one if need be.
        return ("category", "district") if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        category = obj.category if change else data["category"]
        district = obj.district if change else data["district"]
        rule = _call(self, request, services.routing_rule_set, category=category, district=district,
                     unit=data["unit"], expected=data.get("expected", ""))
        obj.pk = rule.pk

    def delete_model(self, request, obj):
        _call(self, request, services.routing_rule_delete, rule=obj)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            _call(self, request, services.routing_rule_delete, rule=rule)
