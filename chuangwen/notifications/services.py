"""Notifications: the writes.

Other apps call `notify()` — that is the whole interface they need:

    from chuangwen.notifications.services import notify

    notify(task.responsible_people(), kind="task.issued", title=f"新任务:{task.title}",
           url=task.get_absolute_url(), dedupe_key=f"task.issued:{task.pk}")

`notify` writes rows in the same database as the caller's change and inside the caller's
transaction, so a rolled-back change leaves no notification behind, and there is nothing to
defer to `transaction.on_commit`.  External delivery (SMS, WeCom) happens only in the daily
digest (`send_digests`, run by `chuangwen notify_digest`), never inside a request.

Audit: `notify`, `mark_read` and `mark_all_read` write no audit entry.  The business event that
caused a notification (a task issued, a problem assigned) is audited by the service that made
it; an entry per recipient would multiply the audit chain by the size of every mailing list
without telling the auditor anything new, and reading one's own inbox is no business event.
The digest, which sends messages out of the system, writes one entry per run.
"""

import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from chuangwen.audit.log import record

from .channels import Channel, configured_channels
from .models import Digest, Notification

logger = logging.getLogger("chuangwen.notifications")

# How many titles a digest lists; the rest are counted.
DIGEST_TITLES = 10
_BATCH = 500


def is_internal_url(url: str) -> bool:
    """A path on this site: starts with one "/" (not "//" or "/\\", which browsers read as
    another host) and holds no control characters."""
    return (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and not any(ord(c) < 32 or ord(c) == 127 for c in url)
    )


def _recipient_ids(recipients) -> set[int]:
    if recipients is None:
        return set()
    if isinstance(recipients, (models.Model, int)):
        recipients = [recipients]
    elif isinstance(recipients, models.QuerySet):
        return set(recipients.values_list("pk", flat=True))
    return {r if isinstance(r, int) else r.pk for r in recipients}


def notify(
    recipients, *, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str = ""
) -> list[Notification]:
    """Put a notification in each recipient's inbox and return the notifications created.

    `recipients`: one user or an iterable of users (or user ids); duplicates count once and
    inactive accounts are skipped.  `url`: a path on this site ("/tasks/12/"), or "".
    `dedupe_key`: a recipient who already has a notification with this key gets no other, so a
    job that runs twice notifies once (e.g. "task.overdue:12:2026-03-02").  Titles longer than
    200 characters are shortened.  Raises ValueError for a missing kind or title or an external
    url (a caller's bug).
    """
    kind, title = (kind or "").strip(), (title or "").strip()
    if not kind or len(kind) > 50:
        raise ValueError("notify: kind must be a short code such as 'task.issued'")
    if not title:
        raise ValueError("notify: title is required")
    if url and (not is_internal_url(url) or len(url) > 500):
        raise ValueError(f"notify: url must be a path on this site, got {url!r}")
    if len(dedupe_key) > 200:
        raise ValueError("notify: dedupe_key is longer than 200 characters")
    if len(title) > 200:
        title = title[:199] + "…"

    ids = _recipient_ids(recipients)
    if not ids:
        return []
    users = set(get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    if dedupe_key:
        users -= set(
            Notification.objects.filter(recipient_id__in=users, dedupe_key=dedupe_key).values_list(
                "recipient_id", flat=True
            )
        )
    if not users:
        return []
    now = timezone.now()
    rows = [
        Notification(recipient_id=pk, kind=kind, title=title, body=body, url=url, dedupe_key=dedupe_key,
                     created_at=now)
        for pk in sorted(users)
    ]
    if not dedupe_key:
        return Notification.objects.bulk_create(rows, batch_size=_BATCH)
    # Another transaction may have written the same key since the check above: the unique
    # constraint keeps one row, and ignoring the conflict keeps the caller's transaction usable.
    Notification.objects.bulk_create(rows, batch_size=_BATCH, ignore_conflicts=True)
    return list(Notification.objects.filter(recipient_id__in=users, dedupe_key=dedupe_key).order_by("pk"))


def mark_read(user, ids: Iterable[int]) -> int:
    """Mark the user's own notifications among `ids` read; others' ids are ignored.  Returns how
    many changed."""
    ids = {int(i) for i in ids}
    if not ids:
        return 0
    return Notification.objects.filter(recipient=user, pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_all_read(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# --- the daily digest ----------------------------------------------------------------------


def _digest_text(user, day: date, count: int, titles: list[str]) -> tuple[str, str]:
    subject = f"创文平台:您有 {count} 条未读通知"
    lines = [f"{user.get_full_name() or user.get_username()},您好!截至{day.month}月{day.day}日,您有 {count} 条未读通知:"]
    lines += [f"{n}. {title}" for n, title in enumerate(titles, 1)]
    if count > len(titles):
        lines.append(f"……另有 {count - len(titles)} 条")
    lines.append("请登录创文平台查看。")
    return subject, "\n".join(lines)


def send_digests(day: date | None = None, channels: Iterable[str | Channel] | None = None) -> int:
    """Send each person one message per external channel listing their unread notifications
    not yet digested (created up to the end of `day`, by default today); returns how many
    messages were sent.

    Idempotent per day: a (recipient, channel, day) `Digest` row is claimed before sending, so a
    second run on the same day (or a run on another machine) sends nothing; notifications that
    arrive after the day's digest wait for the next day's.  Delivery is at most once: a failed
    send is recorded on its row and logged, not retried (the notification stays in the inbox).
    Channels: names or Channel instances, by default settings.NOTIFY_CHANNELS; the in-app
    channel delivers nothing, so with the default settings this sends nothing.
    """
    day = day or timezone.localdate()
    external = [c for c in configured_channels(channels) if c.delivers]
    if not external:
        return 0
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    pending = Notification.objects.filter(digested_at__isnull=True, read_at__isnull=True, created_at__lt=end)
    people = (
        get_user_model().objects.filter(is_active=True, pk__in=pending.values("recipient_id")).order_by("pk")
    )
    sent = failed = notifications = recipients = 0
    for user in people.iterator(chunk_size=_BATCH):
        claimed, count, titles = _claim_digest(user, day, external, pending.filter(recipient=user))
        if not claimed:
            continue
        recipients += 1
        notifications += count
        subject, text = _digest_text(user, day, count, titles)
        for digest, channel in claimed:
            try:
                channel.send(user, subject, text)
            except Exception as exc:  # one failing gateway call must not stop the others
                logger.exception("notification digest %s to %s failed", channel.name, user.get_username())
                Digest.objects.filter(pk=digest.pk).update(error=f"{type(exc).__name__}: {exc}"[:500])
                failed += 1
            else:
                Digest.objects.filter(pk=digest.pk).update(sent_at=timezone.now())
                sent += 1
    if sent or failed:
        record(
            "notification.digest", object_type="notifications.digest", object_id=day.isoformat(),
            object_repr=f"{day.isoformat()} 通知汇总",
            changes={
                "channels": [None, [c.name for c in external]], "recipients": [None, recipients],
                "notifications": [None, notifications], "sent": [None, sent], "failed": [None, failed],
            },
        )
    return sent


def _claim_digest(user, day: date, channels: list[Channel], pending):
    """Claim today's digest rows for `user` on the channels not yet sent today and mark the
    pending notifications digested, in one transaction.  Returns ([(digest, channel)], count,
    first titles); nothing claimed if every channel already had today's digest."""
    with transaction.atomic():
        claimed = []
        for channel in channels:
            digest, created = Digest.objects.get_or_create(recipient=user, channel=channel.name, day=day)
            if created:
                claimed.append((digest, channel))
        if not claimed:
            return [], 0, []
        now = timezone.now()
        # The UPDATE is the claim on the notifications: a concurrent run cannot digest them too.
        count = pending.update(digested_at=now)
        if not count:
            transaction.set_rollback(True)
            return [], 0, []
        Digest.objects.filter(pk__in=[d.pk for d, _ in claimed]).update(notification_count=count)
        titles = list(
            Notification.objects.filter(recipient=user, digested_at=now)
            .order_by("-id")
            .values_list("title", flat=True)[:DIGEST_TITLES]
        )
    return claimed, count, titles
