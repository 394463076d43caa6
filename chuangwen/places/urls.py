from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.site_list, name="site_list"),
    path("s/<str:code>/", views.site_detail, name="site_detail"),
    path("zones/", views.zone_list, name="zone_list"),
]
