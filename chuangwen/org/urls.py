from django.urls import path

from . import views, views_excel

app_name = "org"
urlpatterns = [
    path("import/", views_excel.org_import, name="org_import"),
    path("export.xlsx", views_excel.org_export, name="org_export"),
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/export.xlsx", views.unit_export, name="unit_export"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("units/<str:code>/children/", views.unit_children_partial, name="unit_children"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<str:code>/", views.group_detail, name="group_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/<str:username>/", views.person_detail, name="person_detail"),
]
