"""The 督办单 download: fetch through the scope, refuse a task that is not yellow or red, audit,
respond with the .docx."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from chuangwen.audit.log import record

from .. import supervision_notice
from .common import back_to, visible_task


def supervision_docx(request, code):
    # visible_task: requires "task.view", then get_object_or_404 on tasks_visible_to(user).
    task = visible_task(request, code)
    try:
        notice = supervision_notice.notice_for(task)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return back_to(task)
    data = supervision_notice.render(notice)
    record("task.supervision_notice", actor=request.user, obj=task,
           changes={"colour": [None, notice.colour], "number": [None, notice.number],
                    "days_overdue": [None, notice.days_overdue]})
    response = HttpResponse(data, content_type=supervision_notice.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, notice.filename)
    response["Cache-Control"] = "no-store"
    return response
