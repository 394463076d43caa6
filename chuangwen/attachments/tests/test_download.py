"""The download view: the only way out for a stored file.  Whoever sees the owner record gets
the bytes with safe headers; everyone else gets the same 404 as for a file that does not exist,
and the refusal is audited."""

from urllib.parse import quote

import pytest
from django.db import transaction

from chuangwen.attachments import access
from chuangwen.attachments.models import Attachment
from chuangwen.attachments.selectors import attachment_url, attachments_for
from chuangwen.attachments.services import attachment_store
from chuangwen.attachments.views import FILE_CSP
from chuangwen.audit.models import Entry, Outcome

from . import samples
from .samples import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(world, unit_kind):
    data = samples.jpeg_bytes()
    with transaction.atomic():
        a = attachment_store(upload("和平社区 整改前.jpg", data), owner_kind=unit_kind,
                             owner_id=world.community.pk, actor=world.c1_liaison)
    a.data = data
    return a


@pytest.fixture
def ledger(world, unit_kind):
    with transaction.atomic():
        return attachment_store(upload("台账.xlsx", samples.xlsx_bytes()), owner_kind=unit_kind,
                                owner_id=world.community.pk, actor=world.c1_liaison)


def body(response) -> bytes:
    # Reading to the end closes the response: the test client wraps the stream so that its
    # close does not fire request_finished (which would drop the test's PostgreSQL connection).
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("who", ["c1_head", "c1_liaison", "district_head", "hq", "mayor"])
def test_people_who_see_the_unit_get_the_file(world, login, photo, who):
    response = login(getattr(world, who)).get(attachment_url(photo))
    assert response.status_code == 200
    assert body(response) == photo.data


def test_download_has_safe_headers(world, login, photo):
    response = login(world.c1_head).get(attachment_url(photo))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Length"] == str(len(photo.data))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == FILE_CSP
    assert "sandbox" in response["Content-Security-Policy"]
    assert "object-src 'none'" in response["Content-Security-Policy"]
    assert response["Cache-Control"].startswith("private")
    assert response["Content-Disposition"] == (
        "inline; filename=\"____ ___.jpg\"; filename*=UTF-8''" + quote("和平社区 整改前.jpg", safe="")
    )
    body(response)


def test_office_files_download_as_attachment(world, login, ledger):
    response = login(world.c1_head).get(attachment_url(ledger))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment; ")
    assert response["Content-Disposition"].endswith("filename*=UTF-8''" + quote("台账.xlsx", safe=""))
    assert body(response) == samples_stored_bytes(ledger)


def samples_stored_bytes(a: Attachment) -> bytes:
    from chuangwen.attachments import storage

    return storage.blob_path(a.blob).read_bytes()


def test_each_download_is_audited(world, login, photo):
    body(login(world.c1_head).get(attachment_url(photo)))
    entry = Entry.objects.get(event="attachment.download")
    assert entry.actor_id == world.c1_head.pk and entry.object_id == str(photo.pk)
    assert entry.outcome == Outcome.SUCCESS


@pytest.mark.parametrize("who", ["outsider", "e1_head", "c2_head", "dept_head", "auditor", "sysadmin"])
def test_people_outside_the_scope_get_404_and_a_denial_entry(world, login, photo, who):
    user = getattr(world, who)
    response = login(user).get(attachment_url(photo))
    assert response.status_code == 404
    assert photo.name not in response.content.decode()
    entry = Entry.objects.get(event="attachment.denied")
    assert (entry.actor_id, entry.outcome, entry.object_id) == (user.pk, Outcome.DENIED, str(photo.pk))
    assert not Entry.objects.filter(event="attachment.download").exists()


def test_denied_looks_like_missing(world, login, photo):
    c = login(world.outsider)
    denied = c.get(attachment_url(photo))
    missing = c.get(f"/files/{photo.pk + 1000}/{access.download_token(photo)}")
    assert denied.status_code == missing.status_code == 404
    assert without_per_response_values(denied.content) == without_per_response_values(missing.content)


def without_per_response_values(html: bytes) -> bytes:
    import re

    """Per-response values: the CSP nonce and the masked CSRF token."""
    return re.sub(rb'(nonce="|"X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*"', b"", html)


def test_wrong_token_is_404_even_for_someone_in_scope(world, login, photo):
    c = login(world.c1_head)
    assert c.get(f"/files/{photo.pk}/{'0' * access.TOKEN_LENGTH}").status_code == 404
    assert c.get(f"/files/{photo.pk}/{photo.name}").status_code == 404
    assert not Entry.objects.filter(event="attachment.download").exists()


def test_unknown_owner_kind_is_404_for_everyone(world, login, photo):
    access.unregister(photo.owner_kind)  # e.g. an app removed, its rows left behind
    response = login(world.hq).get(attachment_url(photo))
    assert response.status_code == 404
    assert Entry.objects.filter(event="attachment.denied", actor_id=world.hq.pk).count() == 1


def test_anonymous_is_sent_to_login(client, photo):
    url = attachment_url(photo)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Entry.objects.filter(event__startswith="attachment.d").exists()


def test_post_is_not_allowed(world, login, photo):
    assert login(world.c1_head).post(attachment_url(photo)).status_code == 405


def test_blob_is_not_reachable_by_any_static_or_media_url(world, login, photo):
    c = login(world.hq)
    for url in (f"/static/{photo.blob}", f"/{photo.blob}", f"/files/{photo.blob}", f"/media/{photo.blob}",
                f"/static/files/{photo.blob}"):
        assert c.get(url).status_code == 404, url


def test_missing_blob_is_404_not_500(world, login, photo):
    from chuangwen.attachments import storage

    storage.blob_path(photo.blob).unlink()
    assert login(world.c1_head).get(attachment_url(photo)).status_code == 404


def test_attachments_for_many_owners_in_one_query(world, unit_kind, django_assert_num_queries):
    with transaction.atomic():
        for unit, n in ((world.community, 2), (world.community2, 1)):
            for i in range(n):
                attachment_store(upload(f"{i}.png", samples.png_bytes(color=(i, 9, 9))), owner_kind=unit_kind,
                                 owner_id=unit.pk, actor=world.hq)
    with django_assert_num_queries(1):
        files = attachments_for(unit_kind, [world.community.pk, world.community2.pk, world.street.pk])
    assert {k: [a.name for a in v] for k, v in files.items()} == {
        world.community.pk: ["0.png", "1.png"], world.community2.pk: ["0.png"],
    }
    with django_assert_num_queries(0):
        assert attachments_for(unit_kind, []) == {}
