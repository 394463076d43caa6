"""The admin site for master data.  Access comes from the role table, never from Django's
per-model permissions or superuser status (三员分立 would not survive either)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from .roles import Role

ADMIN_SITE_ROLES = (Role.HQ_STAFF, Role.SECADMIN, Role.SYSADMIN)


class ChuangwenAdminSite(admin.AdminSite):
    site_header = "创文平台 · 基础数据维护"
    site_title = "创文平台"
    index_title = "基础数据"

    def has_permission(self, request):
        user = request.user
        return bool(user.is_authenticated and user.is_active and user.has_role(*ADMIN_SITE_ROLES))

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        """One login page for the platform (lockout, audit, session limits live there).  The
        admin's own form would also refuse everyone, since it wants `is_staff`."""
        from django.contrib.auth.views import redirect_to_login  # imports models: not at app loading

        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            next_url = reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            return redirect_to_login(next_url, settings.LOGIN_URL)
        if self.has_permission(request):
            return HttpResponseRedirect(next_url)
        raise PermissionDenied("没有进入基础数据维护的权限。")

    def password_change(self, request, extra_context=None):
        # The platform's page changes passwords through the service (policy, audit).
        return HttpResponseRedirect(reverse("accounts:password_change"))


class ChuangwenAdminConfig(AdminConfig):
    default_site = "chuangwen.accounts.admin_site.ChuangwenAdminSite"
