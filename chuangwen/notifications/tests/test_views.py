"""The inbox pages and the navbar bell: a person sees and marks only their own notifications."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chuangwen.accounts.middleware import BACKGROUND_HEADER
from chuangwen.notifications.models import Notification
from chuangwen.notifications.services import notify
from chuangwen.notifications.views import PAGE_SIZE

pytestmark = pytest.mark.django_db

BACKGROUND = {"headers": {BACKGROUND_HEADER: "1"}}


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def is_read(note) -> bool:
    return Notification.objects.get(pk=note.pk).read_at is not None


@pytest.fixture
def notes(world):
    """Two notifications for c1_head, one for c2_head (the other person on the same street)."""
    mine = notify(world.c1_head, kind="task.issued", title="新任务:背街小巷整治", body="请于本周五前签收。",
                  url="/tasks/12/")[0]
    plain = notify(world.c1_head, kind="task.note", title="系统维护通知")[0]
    theirs = notify(world.c2_head, kind="task.issued", title="友谊社区的任务", url="/tasks/13/")[0]
    return mine, plain, theirs


def test_the_list_shows_the_users_notifications_newest_first(world, login, notes):
    mine, plain, theirs = notes
    body = text(login(world.c1_head).get("/notifications/"))
    assert body.index("系统维护通知") < body.index("新任务:背街小巷整治")
    assert "请于本周五前签收。" in body
    assert f'href="/notifications/{mine.pk}/open"' in body
    assert "友谊社区的任务" not in body


def test_the_list_never_shows_another_persons_notifications(world, login, notes):
    body = text(login(world.outsider).get("/notifications/"))
    assert "暂无通知" in body
    assert "背街小巷" not in body and "友谊社区的任务" not in body


def test_the_unread_filter_hides_what_was_read(world, login, notes):
    mine, plain, _ = notes
    client = login(world.c1_head)
    client.post(f"/notifications/{plain.pk}/read")
    body = text(client.get("/notifications/?show=unread"))
    assert "背街小巷整治" in body and "系统维护通知" not in body
    assert "系统维护通知" in text(client.get("/notifications/"))


def test_the_list_pages_by_id_without_counting(world, login, django_assert_num_queries):
    for i in range(PAGE_SIZE + 3):
        notify(world.c1_head, kind="k", title=f"通知编号{i:03d}")
    client = login(world.c1_head)
    client.get("/notifications/")  # the session's first request writes its timestamps
    # session, user, the page (one row more than shown, to know whether there is an older page),
    # the capped unread count.
    with django_assert_num_queries(4):
        body = text(client.get("/notifications/"))
    assert f"通知编号{PAGE_SIZE + 2:03d}" in body and "通知编号002" not in body
    oldest_shown = Notification.objects.get(title="通知编号003").pk
    assert f"before={oldest_shown}" in body
    older = text(client.get(f"/notifications/?before={oldest_shown}"))
    assert "通知编号002" in older and "通知编号000" in older and "通知编号003" not in older
    assert "before=" not in older.split("翻页", 1)[1]  # no older page after the last


def test_opening_marks_read_and_follows_the_internal_link(world, login, notes):
    mine, _, _ = notes
    response = login(world.c1_head).get(f"/notifications/{mine.pk}/open")
    assert response.status_code == 302 and response["Location"] == "/tasks/12/"
    assert is_read(mine)


@pytest.mark.parametrize("url", ["//evil.example/phish", "https://evil.example/", "/\\evil.example", ""])
def test_opening_never_leaves_the_site(world, login, url):
    # Written past the service (which refuses such urls), as a row from an older version might be.
    note = Notification.objects.create(recipient=world.c1_head, kind="k", title="外链", url=url)
    response = login(world.c1_head).get(f"/notifications/{note.pk}/open")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert is_read(note)


def test_another_persons_notification_cannot_be_opened_or_marked(world, login, notes):
    _, _, theirs = notes
    client = login(world.c1_head)
    assert client.get(f"/notifications/{theirs.pk}/open").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read").status_code == 302
    client.post("/notifications/read-all")
    assert not is_read(theirs)


def test_mark_one_and_mark_all_read(world, login, notes):
    mine, plain, theirs = notes
    client = login(world.c1_head)
    response = client.post(f"/notifications/{mine.pk}/read", {"show": "unread"})
    assert response["Location"] == "/notifications/?show=unread"
    assert is_read(mine) and not is_read(plain)
    assert client.post("/notifications/read-all")["Location"] == "/notifications/"
    assert is_read(plain) and not is_read(theirs)
    assert "全部标为已读" not in text(client.get("/notifications/"))


def test_marking_needs_post(world, login, notes):
    mine, _, _ = notes
    client = login(world.c1_head)
    assert client.get(f"/notifications/{mine.pk}/read").status_code == 405
    assert client.get("/notifications/read-all").status_code == 405
    assert not is_read(mine)


def test_the_bell_shows_the_unread_count(world, login, notes, django_assert_num_queries):
    client = login(world.c1_head)
    client.get("/notifications/bell")
    with django_assert_num_queries(3):  # session, user, the capped count
        body = text(client.get("/notifications/bell"))
    assert 'class="cw-bell"' in body and ">2<" in body
    assert "no-cache" in client.get("/notifications/bell")["Cache-Control"]
    client.post("/notifications/read-all")
    assert "badge" not in text(client.get("/notifications/bell"))


def test_the_bell_shows_99_plus_past_the_cap(world, login):
    notify(world.c1_head, kind="k", title="x")
    Notification.objects.bulk_create(
        [Notification(recipient=world.c1_head, kind="k", title=f"批量{i}") for i in range(120)]
    )
    assert "99+" in text(login(world.c1_head).get("/notifications/bell"))


def test_every_page_carries_the_bell_for_a_signed_in_person(world, login, client):
    body = text(login(world.c1_head).get("/"))
    assert 'hx-get="/notifications/bell"' in body and 'hx-trigger="load, every 60s"' in body
    assert 'href="/notifications/"' in body
    # Every bell request is marked background, so polling never keeps an idle session alive.
    bell = body.split('hx-get="/notifications/bell"', 1)[1].split(">", 1)[0]
    assert "data-cw-background" in bell  # app.js adds the background header to its requests
    assert "notification bell" not in body  # the template comment stays out of the page
    client.logout()
    assert "/notifications/bell" not in text(client.get("/accounts/login/"))


def test_no_bell_where_the_account_gate_would_answer_its_poll_with_a_redirect(world, login):
    from chuangwen.accounts.models import User

    User.objects.filter(pk=world.c1_head.pk).update(must_change_password=True)
    client = login(User.objects.get(pk=world.c1_head.pk))
    body = text(client.get("/accounts/password/"))
    assert "/notifications/bell" not in body


def test_polling_the_bell_does_not_keep_an_idle_session_alive(world, login, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client = login(world.c1_head)
    assert client.get("/notifications/bell").status_code == 200
    time_machine.shift(timedelta(minutes=20))
    assert client.get("/notifications/bell", **BACKGROUND).status_code == 200
    time_machine.shift(timedelta(minutes=11))
    response = client.get("/notifications/bell", **BACKGROUND)
    assert response.status_code == 401 and response["HX-Redirect"] == "/accounts/login/"


@pytest.mark.parametrize("url", ["/notifications/", "/notifications/bell", "/notifications/1/open"])
def test_anonymous_visitors_are_sent_to_login(db, client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
