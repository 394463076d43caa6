"""The reward/penalty catalogue (定奖惩) in the admin site for HQ staff; saving goes through the
services, and entries are retired rather than deleted (tasks refer to them)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from chuangwen.accounts.permissions import has_verb

from . import services
from .models import RewardPolicy


@admin.register(RewardPolicy)
class RewardPolicyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "on_early", "on_time", "on_overdue", "on_repeat_overdue", "is_active")
    list_filter = ("is_active",)
    fields = ("code", "name", "on_early", "on_time", "on_overdue", "on_repeat_overdue", "description", "is_active")

    def _allowed(self, request) -> bool:
        return has_verb(request.user, "task.manage")

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k in services.plans.POLICY_FIELDS}
        try:
            if change:
                services.policy_update(policy=obj, actor=request.user, **data)
            else:
                data.pop("is_active", None)
                saved = services.policy_create(code=form.cleaned_data["code"], actor=request.user, **data)
                obj.pk = saved.pk
        except ValidationError as exc:
            self.message_user(request, ";".join(exc.messages), level=messages.ERROR)
