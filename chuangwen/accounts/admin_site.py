"""The admin site for master data.  Access comes from the role table, never from Django's
per-model permissions or superuser status (三员分立 would not survive either)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from .roles import Role

ADMIN_SITE_ROLES = (Role.HQ_STAFF, Role.SECADMIN, Role.SYSADMIN)


class ChuangwenAdminSite(admin.AdminSite):
    site_header = "创文平台 · 基础数据维护"
    site_title = "创文平台"
    index_title = "基础数据"

    def has_permission(self, request):
        user = request.user
        return bool(user.is_authenticated and user.is_active and user.has_role(*ADMIN_SITE_ROLES))


class ChuangwenAdminConfig(AdminConfig):
    default_site = "chuangwen.accounts.admin_site.ChuangwenAdminSite"
