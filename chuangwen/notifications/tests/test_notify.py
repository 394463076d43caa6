"""`notify`, the call other apps make, and marking read: only ever one's own notifications."""

import pytest
from django.db import transaction

from chuangwen.accounts.roles import Role
from chuangwen.accounts.services import user_create, user_set_active
from chuangwen.audit.models import Entry
from chuangwen.notifications import selectors
from chuangwen.notifications.models import Notification
from chuangwen.notifications.services import mark_all_read, mark_read, notify

pytestmark = pytest.mark.django_db


def test_notifies_each_recipient_once_and_returns_saved_rows(world):
    created = notify([world.c1_head, world.c1_liaison, world.c1_head], kind="task.issued",
                     title="新任务:背街小巷整治", body="请于本周五前签收。", url="/tasks/1/")
    assert sorted(n.recipient_id for n in created) == sorted([world.c1_head.pk, world.c1_liaison.pk])
    assert all(n.pk for n in created)
    note = Notification.objects.get(recipient=world.c1_head)
    assert (note.kind, note.title, note.url, note.read_at) == ("task.issued", "新任务:背街小巷整治", "/tasks/1/", None)


def test_accepts_one_user_a_queryset_or_ids(world):
    from chuangwen.accounts.models import User

    assert len(notify(world.mayor, kind="k.one", title="一")) == 1
    assert len(notify(User.objects.filter(pk__in=[world.hq.pk, world.mayor.pk]), kind="k.qs", title="二")) == 2
    assert len(notify([world.hq.pk], kind="k.ids", title="三")) == 1
    assert notify([], kind="k.none", title="无") == []


def test_the_same_dedupe_key_notifies_once_however_often_the_job_runs(world):
    first = notify([world.c1_head, world.c2_head], kind="task.overdue", title="任务已逾期",
                   dedupe_key="task.overdue:7:2026-03-02")
    again = notify([world.c1_head, world.c2_head, world.e1_head], kind="task.overdue", title="任务已逾期",
                   dedupe_key="task.overdue:7:2026-03-02")
    assert len(first) == 2
    assert [n.recipient_id for n in again] == [world.e1_head.pk]  # only the newcomer
    assert Notification.objects.filter(dedupe_key="task.overdue:7:2026-03-02").count() == 3
    # Without a key every call notifies.
    notify(world.c1_head, kind="task.note", title="提示")
    notify(world.c1_head, kind="task.note", title="提示")
    assert Notification.objects.filter(recipient=world.c1_head, kind="task.note").count() == 2


def test_dedupe_works_inside_the_callers_transaction(world):
    with transaction.atomic():
        notify(world.c1_head, kind="task.issued", title="甲", dedupe_key="task.issued:1")
        assert notify(world.c1_head, kind="task.issued", title="甲", dedupe_key="task.issued:1") == []
        # The caller's transaction is still usable after the duplicate.
        assert Notification.objects.filter(recipient=world.c1_head).count() == 1


def test_a_rolled_back_change_leaves_no_notification(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(world.c1_head, kind="task.issued", title="不会留下")
        raise RuntimeError("the caller's change failed")
    assert not Notification.objects.filter(recipient=world.c1_head).exists()


def test_inactive_accounts_are_skipped(world):
    gone = user_create(username="gone", full_name="离职者", password=None, roles=[Role.LIAISON])
    user_set_active(user=gone, active=False)
    created = notify([gone, world.c1_liaison], kind="task.issued", title="新任务")
    assert [n.recipient_id for n in created] == [world.c1_liaison.pk]
    assert not Notification.objects.filter(recipient=gone).exists()


def test_writes_no_audit_entry_and_few_queries(world, django_assert_max_num_queries):
    before = Entry.objects.count()
    people = [world.c1_head, world.c1_liaison, world.c2_head, world.e1_head, world.district_head]
    with django_assert_max_num_queries(2):  # active recipients, one INSERT
        notify(people, kind="task.issued", title="新任务")
    with django_assert_max_num_queries(4):  # + the dedupe check and the re-read
        notify(people, kind="task.issued", title="新任务", dedupe_key="k")
    assert Entry.objects.count() == before


def test_refuses_external_urls_and_missing_fields(world):
    external = ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "tasks/1")
    for url in external:
        with pytest.raises(ValueError):
            notify(world.c1_head, kind="task.issued", title="链接", url=url)
    with pytest.raises(ValueError):
        notify(world.c1_head, kind="", title="无类型")
    with pytest.raises(ValueError):
        notify(world.c1_head, kind="task.issued", title="  ")
    assert not Notification.objects.exists()


def test_shortens_a_long_title(world):
    (note,) = notify(world.c1_head, kind="task.issued", title="长" * 300)
    assert len(note.title) == 200 and note.title.endswith("…")


def test_mark_read_changes_only_the_users_own_notifications(world):
    (mine,) = notify(world.c1_head, kind="k", title="我的")
    (theirs,) = notify(world.c2_head, kind="k", title="别人的")
    assert mark_read(world.c1_head, [mine.pk, theirs.pk]) == 1
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert mark_read(world.c1_head, [mine.pk]) == 0  # already read: unchanged


def test_mark_all_read_leaves_other_people_alone(world):
    notify([world.c1_head, world.c2_head], kind="k", title="一")
    notify([world.c1_head, world.c2_head], kind="k", title="二")
    assert mark_all_read(world.c1_head) == 2
    assert selectors.unread_count(world.c1_head) == 0
    assert selectors.unread_count(world.c2_head) == 2


def test_unread_count_stops_at_the_cap(world):
    for i in range(5):
        notify(world.c1_head, kind="k", title=f"第{i}条")
    assert selectors.unread_count(world.c1_head) == 5
    assert selectors.unread_count(world.c1_head, cap=3) == 3
    assert selectors.unread_count(world.c1_head, cap=None) == 5


def test_notifications_for_pages_by_id_newest_first(world):
    ids = [notify(world.c1_head, kind="k", title=f"第{i}条")[0].pk for i in range(5)]
    mark_read(world.c1_head, [ids[3]])

    def page(user, **kwargs):
        return [n.pk for n in selectors.notifications_for(user, limit=2, **kwargs)]

    assert page(world.c1_head) == [ids[4], ids[3]]
    assert page(world.c1_head, before=ids[3]) == [ids[2], ids[1]]
    assert page(world.c1_head, unread_only=True) == [ids[4], ids[2]]
    assert page(world.c2_head) == []
