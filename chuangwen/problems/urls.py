from django.urls import path

from .views import extensions, lists, metrics, problem

app_name = "problems"
urlpatterns = [
    path("", lists.my_problems, name="mine"),
    path("desk/", lists.desk, name="desk"),
    path("desk/act/", lists.desk_act, name="desk_act"),
    path("recheck/", lists.recheck, name="recheck"),
    path("metrics/", metrics.metrics_page, name="metrics"),
    path("new/", problem.problem_new, name="new"),
    path("p/<str:number>/", problem.problem_detail, name="detail"),
    path("p/<str:number>/act/<str:action>/", problem.problem_act, name="act"),
    path("p/<str:number>/reporter-phone/", problem.reporter_phone, name="reporter_phone"),
    path("p/<str:number>/extension/", extensions.extension_request, name="extension_request"),
    path("p/<str:number>/extension/<int:pk>/<str:decision>/", extensions.extension_decide, name="extension_decide"),
    path("p/<str:number>/reply/", extensions.reply, name="reply"),
    path("extensions/", extensions.pending_extensions, name="extensions"),
]
