"""The calendar in the admin site for HQ staff; saving and deleting go through the services."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from chuangwen.accounts.permissions import has_verb

from . import services
from .models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "source")
    list_filter = ("kind", "source")
    date_hierarchy = "date"
    fields = ("date", "kind", "name")

    def _allowed(self, request) -> bool:
        return has_verb(request.user, "calendar.manage")

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def get_actions(self, request, *args, **kwargs):
        return {}  # bulk delete would bypass the services

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            entry = services.calendar_set_day(day=data["date"], kind=data["kind"], name=data.get("name", ""),
                                              actor=request.user)
            obj.pk = entry.pk
        except ValidationError as exc:
            self.message_user(request, ";".join(exc.messages), level=messages.ERROR)

    def delete_model(self, request, obj):
        services.calendar_clear_day(day=obj.date, actor=request.user)
