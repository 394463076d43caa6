"""Reads behind the administrators' pages."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db.models import Q, QuerySet
from django.utils import timezone

from chuangwen.accounts.models import User
from chuangwen.api.models import ApiToken
from chuangwen.audit.models import Entry
from chuangwen.backup.archive import backup_dir

AUDIT_PAGE_SIZE = 50


def accounts_search(*, q: str = "", status: str = "") -> QuerySet[User]:
    people = User.objects.all()
    if q:
        people = people.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "disabled":
        people = people.filter(is_active=False)
    return people.order_by("username")


@dataclass
class Archive:
    name: str
    size: int
    modified: datetime


def backup_archives() -> list[Archive]:
    """The archives in var/backups, newest first."""
    folder: Path = backup_dir()
    if not folder.is_dir():
        return []
    tz = timezone.get_current_timezone()
    archives = [
        Archive(p.name, p.stat().st_size, datetime.fromtimestamp(p.stat().st_mtime, tz=tz))
        for p in folder.glob("*.tar.gz") if p.is_file()
    ]
    return sorted(archives, key=lambda a: a.modified, reverse=True)


def tokens_list(*, limit: int = 200) -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("person").order_by("-created_at", "-pk")[:limit]


def audit_entries(filters: dict) -> QuerySet[Entry]:
    """Entries matching the auditor's filters, newest first.  No COUNT and no OFFSET: pages are
    cut by `seq` (the primary key), so page 1,000 costs what page 1 costs."""
    qs = Entry.objects.order_by("-seq")
    event = filters.get("event")
    if event:
        # A trailing dot asks for a family ("user." → user.create, user.disable ...).
        qs = qs.filter(event__startswith=event) if event.endswith(".") else qs.filter(event=event)
    if filters.get("actor"):
        qs = qs.filter(actor_name__icontains=filters["actor"])
    if filters.get("outcome"):
        qs = qs.filter(outcome=filters["outcome"])
    if filters.get("since"):
        qs = qs.filter(at__gte=filters["since"])
    if filters.get("until"):
        qs = qs.filter(at__lte=filters["until"])
    return qs


@dataclass
class AuditPage:
    entries: list
    newer: int | None  # pass as ?after= to see the page above
    older: int | None  # pass as ?before= to see the page below


def audit_page(filters: dict, *, before: int | None = None, after: int | None = None,
               size: int = AUDIT_PAGE_SIZE) -> AuditPage:
    """One page of entries by keyset: one query, `size + 1` rows to learn whether more exist."""
    qs = audit_entries(filters)
    if after is not None:
        rows = list(qs.filter(seq__gt=after).order_by("seq")[: size + 1])
        more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        newer = rows[0].seq if rows and more_newer else None
        older = rows[-1].seq if rows else None  # we came from there, so entries exist below
        return AuditPage(rows, newer, older)
    if before is not None:
        qs = qs.filter(seq__lt=before)
    rows = list(qs[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    older = rows[-1].seq if rows and more_older else None
    newer = rows[0].seq if rows and before is not None else None
    return AuditPage(rows, newer, older)


def change_rows(changes) -> list[tuple[str, object, object]]:
    """An entry's `changes` as (field, before, after); a value that is not a pair is 'after'."""
    if not isinstance(changes, dict):
        return [("", None, changes)]
    rows = []
    for field, value in changes.items():
        if value is None:
            continue
        if isinstance(value, list) and len(value) == 2:
            rows.append((field, value[0], value[1]))
        else:
            rows.append((field, None, value))
    return rows
