from django.urls import path

from .views import config, proposals, register

app_name = "rewards"
urlpatterns = [
    path("", register.record_list, name="records"),
    path("export.xlsx", register.export, name="export"),
    path("r/<int:pk>/", register.record_detail, name="record"),
    path("proposals/", proposals.proposal_list, name="proposals"),
    path("proposals/<int:pk>/", proposals.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/confirm/", proposals.confirm, name="confirm"),
    path("proposals/<int:pk>/dismiss/", proposals.dismiss, name="dismiss"),
    path("run-tasks/", proposals.run_tasks, name="run_tasks"),
    path("periods/", proposals.period_list, name="periods"),
    path("periods/<int:pk>/", proposals.period_detail, name="period"),
    path("periods/<int:pk>/run/", proposals.run_period, name="run_period"),
    path("rules/", config.rules, name="rules"),
    path("rules/new/", config.rule_create, name="rule_create"),
    path("rules/<int:pk>/", config.rule_edit, name="rule_edit"),
    path("ladder/", config.ladder, name="ladder"),
]
