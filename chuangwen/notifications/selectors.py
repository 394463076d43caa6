"""Notifications: the reads.  A person only ever reads their own inbox: every read starts from
`notifications_of(user)`."""

from django.db.models import QuerySet

from .models import Notification

# The bell shows "99+" past this; counting further would scan a long-neglected inbox for nothing.
UNREAD_CAP = 100


def notifications_of(user) -> QuerySet[Notification]:
    """The user's own notifications: the scope of every page and action in this app."""
    return Notification.objects.filter(recipient=user)


def unread_count(user, *, cap: int | None = UNREAD_CAP) -> int:
    """How many of the user's notifications are unread, counted up to `cap` (None: exactly).
    Served by the (recipient, read_at, -id) index."""
    unread = notifications_of(user).filter(read_at__isnull=True)
    return unread.count() if cap is None else unread[:cap].count()


def notifications_for(user, unread_only: bool = False, before: int | None = None, limit: int = 30):
    """The user's notifications, newest first, `limit` of them with ids below `before`
    (keyset pagination: no COUNT, no OFFSET however long the inbox)."""
    items = notifications_of(user)
    if unread_only:
        items = items.filter(read_at__isnull=True)
    if before is not None:
        items = items.filter(pk__lt=before)
    return items.order_by("-pk")[:limit]
