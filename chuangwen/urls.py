from django.contrib import admin
from django.urls import include, path

from chuangwen.dashboard import views as dashboard_views

urlpatterns = [
    path("", include("chuangwen.dashboard.urls")),
    path("accounts/", include("chuangwen.accounts.urls")),
    path("org/", include("chuangwen.org.urls")),
    path("notifications/", include("chuangwen.notifications.urls")),
    path("files/", include("chuangwen.attachments.urls")),
    path("places/", include("chuangwen.places.urls")),
    path("tasks/", include("chuangwen.tasks.urls")),
    path("problems/", include("chuangwen.problems.urls")),
    path("supervision/", include("chuangwen.supervision.urls")),
    path("evaluation/", include("chuangwen.evaluation.urls")),
    path("rewards/", include("chuangwen.rewards.urls")),
    # 随手拍: public pages, no login (each view is login_not_required).
    path("report/", include("chuangwen.problems.public_urls")),
    path("honours/", include("chuangwen.rewards.public_urls")),
    path("manage/", admin.site.urls),
    path("console/", include("chuangwen.console.urls")),
    path("api/", include("chuangwen.api.urls")),
    path("open311/v2/", include("chuangwen.api.open311.urls")),
    path("healthz", dashboard_views.healthz, name="healthz"),
]

handler403 = "chuangwen.dashboard.views.error_403"
handler404 = "chuangwen.dashboard.views.error_404"
handler500 = "chuangwen.dashboard.views.error_500"
