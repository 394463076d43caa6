"""随手拍: the citizens' pages, public (no login), mounted at /report/."""

from django.urls import path

from .views import public

app_name = "report"
urlpatterns = [
    path("", public.report, name="report"),
    path("track/", public.track_lookup, name="lookup"),
    path("track/<str:code>/", public.track, name="track"),
    path("track/<str:code>/photo/<int:pk>/", public.track_photo, name="photo"),
]
