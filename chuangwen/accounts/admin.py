"""Accounts in the admin site: read-only, since accounts are created and roles granted on the
administrators' own pages, through the services (三员分立)."""

from django.contrib import admin

from .models import User
from .roles import Role


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("username", "full_name", "role_labels", "is_active", "last_login")
    search_fields = ("username", "full_name")
    list_filter = ("is_active",)
    fields = ("username", "full_name", "role_labels", "is_active", "last_login", "date_joined")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        # The admin login page asks too, with an anonymous user that has no roles.
        user = request.user
        return user.is_authenticated and user.has_role(Role.SYSADMIN, Role.SECADMIN)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="角色")
    def role_labels(self, obj):
        return obj.role_labels

