"""红黑榜: the published lists, public (no login), mounted at /honours/."""

from django.urls import path

from .views import public

app_name = "honours"
urlpatterns = [
    path("", public.index, name="index"),
    path("<int:pk>/", public.period, name="period"),
    path("<int:pk>/tongbao.docx", public.notice_docx, name="notice"),
]
