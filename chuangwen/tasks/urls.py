from django.urls import path

from .views import actions, docx, excel, lists, task

app_name = "tasks"
urlpatterns = [
    path("", lists.my_tasks, name="my_tasks"),
    path("board/", lists.board, name="board"),
    path("list/", lists.task_list, name="task_list"),
    path("handovers/", lists.handover_ledger, name="handover_ledger"),
    path("plans/", lists.plan_list, name="plan_list"),
    path("plans/new/", task.plan_create, name="plan_create"),
    path("plans/<int:pk>/", lists.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/new-task/", task.task_create, name="task_create"),
    path("import/", excel.import_tasks, name="import"),
    path("export.xlsx", excel.export_tasks, name="export"),
    path("t/<str:code>/", task.task_detail, name="task_detail"),
    path("t/<str:code>/edit/", task.task_edit, name="task_edit"),
    path("t/<str:code>/act/<str:action>/", actions.task_act, name="task_act"),
    path("t/<str:code>/progress/", actions.progress, name="progress"),
    path("t/<str:code>/decompose/", actions.decompose, name="decompose"),
    path("t/<str:code>/handover/", actions.handover, name="handover"),
    path("t/<str:code>/review/", actions.review, name="review"),
    path("t/<str:code>/extension/", actions.extension, name="extension"),
    path("extensions/<int:pk>/decide/", actions.extension_decide, name="extension_decide"),
    path("t/<str:code>/milestones/<int:pk>/done/", actions.milestone_done, name="milestone_done"),
    path("t/<str:code>/supervision.docx", docx.supervision_docx, name="supervision_docx"),
]
