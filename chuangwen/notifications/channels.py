"""Where notifications go besides the database.

Every notification is stored and shown in the person's inbox (the bell in the navbar): that is
the `inapp` channel, which delivers nothing.  External channels (SMS, WeCom, ...) never get one
message per notification: `chuangwen notify_digest` sends each person at most one digest per
channel per day (see `services.send_digests`).

Which channels are on: CHUANGWEN_NOTIFY_CHANNELS (settings.NOTIFY_CHANNELS), a comma-separated
list of built-in names (`inapp`, `log`, `outbox`) or dotted paths to Channel subclasses.
Default: `inapp` only.

Adding a channel (e.g. SMS through the city's gateway):

1. Subclass `Channel`: set `name` (short and stable — it is stored in `Digest.channel`) and
   `label` (Chinese, for people), and implement `send(recipient, subject, text)`.  Read the
   gateway's address and key from settings (a CHUANGWEN_* variable), never at import time.
   Raise on failure: the digest job records the error on that person's `Digest` row, logs it
   and goes on with the next person.  If the person has no address on this channel (no mobile
   number), return without sending.
2. Add it to `BUILTIN` below, or name it by dotted path:
   `CHUANGWEN_NOTIFY_CHANNELS=inapp,chuangwen_sms.channels.SmsChannel`.
3. `manage.py check` reports a name that does not load (notifications.E001).
"""

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger("chuangwen.notifications")


class Channel:
    name: str = ""
    label: str = ""
    # False for the in-app inbox: the notification row is the delivery, there is nothing to send.
    delivers: bool = True

    def send(self, recipient, subject: str, text: str) -> None:
        raise NotImplementedError


class InAppChannel(Channel):
    name = "inapp"
    label = "站内通知"
    delivers = False

    def send(self, recipient, subject: str, text: str) -> None:
        return None


class LogChannel(Channel):
    """Writes each message to the `chuangwen.notifications` logger (INFO): for a pilot before a
    gateway is connected, or to see what would be sent."""

    name = "log"
    label = "日志"

    def send(self, recipient, subject: str, text: str) -> None:
        logger.info("notification digest to %s: %s\n%s", recipient.get_username(), subject, text)


class OutboxChannel(Channel):
    """Keeps each message in the `OutboxMessage` table."""

    name = "outbox"
    label = "发件箱"

    def send(self, recipient, subject: str, text: str) -> None:
        from .models import OutboxMessage

        OutboxMessage.objects.create(recipient=recipient, channel=self.name, subject=subject[:200], text=text)


BUILTIN: dict[str, type[Channel]] = {c.name: c for c in (InAppChannel, LogChannel, OutboxChannel)}


def load_channel(spec: str) -> Channel:
    """A channel by built-in name or dotted path."""
    try:
        cls = BUILTIN[spec] if spec in BUILTIN else import_string(spec)
    except ImportError as exc:
        raise ImproperlyConfigured(f"Unknown notification channel {spec!r}: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, Channel)) or not cls.name:
        raise ImproperlyConfigured(f"Notification channel {spec!r} is not a named Channel subclass")
    return cls()


def configured_channels(specs=None) -> list[Channel]:
    """The channels in `specs` (names, dotted paths or Channel instances), by default those in
    settings.NOTIFY_CHANNELS; each name once."""
    specs = settings.NOTIFY_CHANNELS if specs is None else specs
    channels, seen = [], set()
    for spec in specs:
        channel = spec if isinstance(spec, Channel) else load_channel(spec)
        if channel.name not in seen:
            seen.add(channel.name)
            channels.append(channel)
    return channels
