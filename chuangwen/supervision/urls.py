from django.urls import path

from .views import instructions, ledger, meetings, visits

app_name = "supervision"
urlpatterns = [
    path("", ledger.ledger, name="ledger"),
    path("agenda/", ledger.agenda, name="agenda"),
    path("instructions/", instructions.instruction_list, name="instruction_list"),
    path("instructions/new/", instructions.instruction_new, name="instruction_new"),
    path("instructions/<int:pk>/", instructions.instruction_detail, name="instruction_detail"),
    path("instructions/<int:pk>/split/", instructions.instruction_split, name="instruction_split"),
    path("instructions/<int:pk>/close/", instructions.instruction_close, name="instruction_close"),
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/decisions/", meetings.decision_add, name="decision_add"),
    path("decisions/<int:pk>/", meetings.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/split/", meetings.decision_split, name="decision_split"),
    path("decisions/<int:pk>/close/", meetings.decision_close, name="decision_close"),
    path("visits/", visits.visit_list, name="visit_list"),
    path("visits/new/", visits.visit_new, name="visit_new"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/findings/", visits.finding_add, name="finding_add"),
]
