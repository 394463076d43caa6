from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.period_list, name="periods"),
    path("periods/new/", views.period_create, name="period_create"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/finalise/", views.period_finalise, name="period_finalise"),
    path("periods/<int:pk>/units/<str:code>/", views.unit_card, name="card"),
    path("periods/<int:pk>/units/<str:code>/<str:kind>/", views.unit_records, name="records"),
    path("weights/", views.weights, name="weights"),
    path("weights/group/", views.weights_save, name="weights_save"),
    path("weights/rule/", views.rule_save, name="rule_save"),
]
