"""Helpers shared by the task services: locking with a version check, the timeline event and
notifications sent after commit."""

from django.db import transaction

from chuangwen.org.services import StaleVersion

from ..models import Task, TaskEvent

__all__ = ["StaleVersion", "actor_name", "event", "lock_task", "notify_after_commit"]


def actor_name(actor) -> str:
    return str(actor) if actor is not None else "系统"


def lock_task(task: Task, expected_version: int | None = None) -> Task:
    """Re-read the task under a row lock; refuse if someone saved it since `expected_version`."""
    # `of=("self",)`: PostgreSQL refuses FOR UPDATE on the nullable side of the lead unit's join.
    locked = (Task.objects.select_for_update(of=("self",)).select_related("issuing_unit", "lead_unit", "plan")
              .get(pk=task.pk))
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion("该任务已被他人修改,请刷新后重试。")
    return locked


def bump(task: Task, fields: list[str]) -> None:
    """Save `fields` and the next version.  The callers have checked the values; the database's
    constraints stay the last word (a full_clean here cost a query per foreign key and check)."""
    task.version += 1
    task.save(update_fields=[*fields, "version"])


def event(task: Task, kind: str, actor, *, note: str = "", from_status: str = "", to_status: str = "") -> TaskEvent:
    return TaskEvent.objects.create(task=task, kind=kind, actor=actor if getattr(actor, "pk", None) else None,
                                    actor_name=actor_name(actor), note=note, from_status=from_status,
                                    to_status=to_status)


def notify_after_commit(recipients, *, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str = ""):
    """Notifications wait for the commit: a rolled-back change tells no one."""
    recipients = [r for r in recipients if r is not None]
    if not recipients:
        return

    def send():
        from chuangwen.notifications.services import notify

        notify(recipients, kind=kind, title=title, body=body, url=url, dedupe_key=dedupe_key)

    transaction.on_commit(send)


def unit_contacts(unit, *, heads: bool = True, liaisons: bool = True) -> list:
    """The people who answer for a unit today: its head and/or liaisons."""
    from django.db.models import Q

    from chuangwen.org.models import Post

    if unit is None:
        return []
    cond = Q(pk__in=[])
    if heads:
        cond |= Q(is_head=True)
    if liaisons:
        cond |= Q(is_liaison=True)
    return [p.person for p in Post.objects.current().filter(cond, unit=unit).select_related("person")]


def task_url(task: Task) -> str:
    from django.urls import reverse

    return reverse("tasks:task_detail", args=[task.code])
