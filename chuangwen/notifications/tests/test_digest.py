"""The daily digest: one message per person per external channel per day, however often the
job runs; the in-app channel alone sends nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from chuangwen.accounts.services import user_set_active
from chuangwen.audit.models import Entry
from chuangwen.notifications.channels import Channel, configured_channels
from chuangwen.notifications.checks import notification_channels_load
from chuangwen.notifications.models import Digest, Notification, OutboxMessage
from chuangwen.notifications.services import DIGEST_TITLES, mark_read, notify, send_digests

pytestmark = pytest.mark.django_db


class BrokenGateway(Channel):
    name = "broken"
    label = "故障网关"

    def send(self, recipient, subject, text):
        raise ConnectionError("gateway down")


@pytest.fixture
def today(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return timezone.localdate()


def test_sends_one_digest_per_person_and_is_idempotent_per_day(world, today):
    notify([world.c1_head, world.c2_head], kind="task.issued", title="新任务:背街小巷整治")
    notify(world.c1_head, kind="task.overdue", title="任务已逾期:垃圾分类")

    assert send_digests(channels=["outbox"]) == 2
    assert send_digests(channels=["outbox"]) == 0  # the same day again: nothing
    notify(world.c1_head, kind="task.issued", title="当天稍晚的新任务")
    assert send_digests(channels=["outbox"]) == 0  # still one message a day

    mine = OutboxMessage.objects.get(recipient=world.c1_head)
    assert mine.subject == "创文平台:您有 2 条未读通知"
    assert "任务已逾期:垃圾分类" in mine.text and "新任务:背街小巷整治" in mine.text
    assert OutboxMessage.objects.count() == 2
    digest = Digest.objects.get(recipient=world.c1_head)
    assert (digest.channel, digest.day, digest.notification_count) == ("outbox", today, 2)
    assert digest.sent_at is not None and digest.error == ""
    # The later notification waits for tomorrow's digest.
    assert Notification.objects.get(title="当天稍晚的新任务").digested_at is None


def test_the_next_day_sends_what_arrived_after_the_last_digest(world, today, time_machine):
    notify(world.c1_head, kind="k", title="第一天")
    send_digests(channels=["outbox"])
    notify(world.c1_head, kind="k", title="第二天")
    time_machine.shift(timedelta(days=1))
    assert send_digests(channels=["outbox"]) == 1
    latest = OutboxMessage.objects.order_by("-pk").first()
    assert "第二天" in latest.text and "第一天" not in latest.text


def test_skips_what_was_read_and_disabled_accounts(world, today):
    (read,) = notify(world.c1_head, kind="k", title="已读的")
    mark_read(world.c1_head, [read.pk])
    notify(world.c1_liaison, kind="k", title="离职前收到的")
    user_set_active(user=world.c1_liaison, active=False)
    assert send_digests(channels=["outbox"]) == 0
    assert not Digest.objects.exists()


def test_lists_the_first_titles_and_counts_the_rest(world, today):
    for i in range(DIGEST_TITLES + 3):
        notify(world.c1_head, kind="k", title=f"通知{i:02d}")
    send_digests(channels=["outbox"])
    text = OutboxMessage.objects.get().text
    assert f"通知{DIGEST_TITLES + 2:02d}" in text and "通知00" not in text
    assert "另有 3 条" in text


def test_writes_one_audit_entry_per_run(world, today):
    notify([world.c1_head, world.c2_head, world.e1_head], kind="k", title="一")
    before = Entry.objects.filter(event="notification.digest").count()
    send_digests(channels=["outbox", "log"])
    entries = Entry.objects.filter(event="notification.digest")
    assert entries.count() == before + 1
    changes = entries.latest("seq").changes
    assert changes["sent"] == [None, 6] and changes["recipients"] == [None, 3]
    assert changes["notifications"] == [None, 3] and changes["channels"] == [None, ["outbox", "log"]]
    send_digests(channels=["outbox", "log"])  # nothing sent: no entry
    assert Entry.objects.filter(event="notification.digest").count() == before + 1


def test_the_in_app_channel_alone_sends_nothing(world, today, settings):
    settings.NOTIFY_CHANNELS = ["inapp"]
    notify(world.c1_head, kind="k", title="一")
    assert send_digests() == 0
    assert Notification.objects.get().digested_at is None


def test_uses_the_configured_channels(world, today, settings):
    settings.NOTIFY_CHANNELS = ["inapp", "outbox"]
    notify(world.c1_head, kind="k", title="一")
    assert send_digests() == 1 and OutboxMessage.objects.count() == 1


def test_a_failing_channel_is_recorded_and_does_not_stop_the_others(world, today, caplog):
    notify([world.c1_head, world.c2_head], kind="k", title="一")
    assert send_digests(channels=[BrokenGateway(), "outbox"]) == 2
    failed = Digest.objects.filter(channel="broken")
    assert failed.count() == 2 and all(d.sent_at is None and "gateway down" in d.error for d in failed)
    assert OutboxMessage.objects.count() == 2
    assert Entry.objects.filter(event="notification.digest").latest("seq").changes["failed"] == [None, 2]
    # At most once: the failed digests are not retried the same day.
    assert send_digests(channels=[BrokenGateway(), "outbox"]) == 0


def test_the_command_sends_the_digest(world, today, settings):
    settings.NOTIFY_CHANNELS = ["inapp", "outbox"]
    notify(world.c1_head, kind="k", title="一")
    out = StringIO()
    call_command("notify_digest", stdout=out)
    assert "发送 1 条" in out.getvalue()
    call_command("notify_digest", stdout=out)
    assert "发送 0 条" in out.getvalue()
    assert OutboxMessage.objects.count() == 1


def test_the_command_says_so_when_only_the_in_app_channel_is_on(world, settings):
    settings.NOTIFY_CHANNELS = ["inapp"]
    out = StringIO()
    call_command("notify_digest", stdout=out)
    assert "无需汇总" in out.getvalue()


def test_an_unknown_channel_fails_the_system_check(settings):
    settings.NOTIFY_CHANNELS = ["inapp", "no.such.Gateway", "sms"]
    errors = notification_channels_load(None)
    assert [e.id for e in errors] == ["notifications.E001"] * 2
    settings.NOTIFY_CHANNELS = ["inapp", "log", "outbox"]
    assert [c.name for c in configured_channels()] == ["inapp", "log", "outbox"]
    assert notification_channels_load(None) == []
