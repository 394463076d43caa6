"""Idempotency-Key: a retry gets the first answer and creates nothing new (docs/api.md,
"Idempotent retries").  Through the API with the task fixtures, then the guard on its own."""

import io
import json
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from chuangwen.api import idempotency
from chuangwen.api.jobs import expire_idempotency_records
from chuangwen.api.models import IdempotencyRecord
from chuangwen.api.services import token_issue
from chuangwen.api.v1 import tasks_serializers
from chuangwen.audit.models import Entry
from chuangwen.tasks import services
from chuangwen.tasks.models import ProgressUpdate

from .helpers import API, assert_error, unchanged

KEY = "HTTP_IDEMPOTENCY_KEY"


def _updates(task):
    return ProgressUpdate.objects.filter(task=task).count()


@pytest.fixture
def signed(world, task_world):
    """e1_head's task, signed for: ready for a progress report."""
    services.task_sign_for(task=task_world.e1s, actor=world.e1_head)
    task_world.e1s.refresh_from_db()
    return task_world.e1s


def _report(task, **over):
    return {"percent": 30, "text": "已完成摸底", "version": task.version, **over}


# --- through the API -------------------------------------------------------------------------------


@pytest.mark.django_db
class TestRetries:
    def test_a_retry_gets_the_first_201_and_creates_one_update(self, world, signed, api_post):
        post = api_post(world.e1_head)
        url, body = f"{API}/tasks/{signed.code}/updates", _report(signed)
        first = post(url, body, **{KEY: "c0ffee-1"})
        assert first.status_code == 201, first.content
        assert "Idempotent-Replayed" not in first
        after_first = unchanged(signed)
        # The same request again (its `version` is stale now: without the key this would be 409).
        retry = post(url, body, **{KEY: "c0ffee-1"})
        assert retry.status_code == 201 and retry.content == first.content
        assert retry["Idempotent-Replayed"] == "true" and retry["Content-Type"] == first["Content-Type"]
        assert unchanged(signed) == after_first
        assert ProgressUpdate.objects.filter(task=signed, text="已完成摸底").count() == 1

    def test_without_the_header_nothing_changes(self, world, signed, api_post):
        post = api_post(world.e1_head)
        url = f"{API}/tasks/{signed.code}/updates"
        assert post(url, _report(signed, version=None)).status_code == 201
        assert post(url, _report(signed, version=None)).status_code == 201
        assert _updates(signed) == 2 and not IdempotencyRecord.objects.exists()

    def test_an_action_is_replayed_too(self, world, task_world, api_post):
        # A second sign-for would be refused (already signed); its retry gets the first answer.
        post = api_post(world.e1_head)
        url = f"{API}/tasks/{task_world.e1s.code}/actions/sign_for"
        first = post(url, {}, **{KEY: "sign-1"})
        assert first.status_code == 200 and first.json()["status"] == "signed"
        retry = post(url, {}, **{KEY: "sign-1"})
        assert (retry.status_code, retry.content, retry["Idempotent-Replayed"]) == (
            200,
            first.content,
            "true",
        )
        assert task_world.e1s.events.filter(kind="sign_for").count() == 1

    @pytest.mark.parametrize("change", ["body", "path"])
    def test_the_same_key_on_another_request_is_422_and_creates_nothing(
        self, world, signed, api_post, change
    ):
        post = api_post(world.e1_head)
        url = f"{API}/tasks/{signed.code}/updates"
        assert post(url, _report(signed), **{KEY: "k-1"}).status_code == 201
        before = unchanged(signed)
        if change == "body":
            response = post(url, _report(signed, text="另一份进度"), **{KEY: "k-1"})
        else:
            response = post(f"{API}/tasks/{signed.code}/handovers", {"summary": "完成"}, **{KEY: "k-1"})
        assert_error(response, 422, "idempotency_key_reused", "该 Idempotency-Key 已用于另一请求。")
        assert unchanged(signed) == before

    def test_keys_belong_to_a_token(self, world, signed, api_post):
        # api_post issues a fresh token each time: the same person, two tokens, two keys.
        url = f"{API}/tasks/{signed.code}/updates"
        first = api_post(world.e1_head)(url, _report(signed, version=None), **{KEY: "shared"})
        second = api_post(world.e1_head)(url, _report(signed, version=None), **{KEY: "shared"})
        assert first.status_code == second.status_code == 201
        assert "Idempotent-Replayed" not in second and first.json()["id"] != second.json()["id"]
        assert _updates(signed) == 2
        scopes = set(IdempotencyRecord.objects.filter(key="shared").values_list("scope", flat=True))
        assert len(scopes) == 2 and all(s.startswith("token:") for s in scopes)

    @pytest.mark.parametrize("key", ["x" * 201, "钥匙", "has space", "", "tab\there"])
    def test_a_malformed_key_is_422_and_creates_nothing(self, world, signed, api_post, key):
        before = unchanged(signed)
        response = api_post(world.e1_head)(
            f"{API}/tasks/{signed.code}/updates", _report(signed), **{KEY: key}
        )
        error = assert_error(response, 422, "invalid", "Idempotency-Key")
        assert error["details"] == [{"field": "Idempotency-Key", "message": error["message"]}]
        assert unchanged(signed) == before and not IdempotencyRecord.objects.exists()

    def test_a_key_of_200_visible_characters_is_accepted(self, world, signed, api_post):
        key = ("!~" + "a1-_.:" * 40)[:200]
        response = api_post(world.e1_head)(
            f"{API}/tasks/{signed.code}/updates", _report(signed), **{KEY: key}
        )
        assert response.status_code == 201 and IdempotencyRecord.objects.get().key == key

    def test_without_a_valid_token_the_key_is_not_looked_at(self, world, signed, client):
        response = client.post(
            f"{API}/tasks/{signed.code}/updates",
            _report(signed),
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer cw_nope_nope",
            **{KEY: "钥匙"},
        )
        assert_error(response, 401, "unauthenticated")

    def test_a_refusal_is_not_kept_and_the_retry_runs_again(self, world, task_world, api_post):
        # Not signed for yet: 422.  Once signed, the same request with the same key goes through.
        task = task_world.e1s
        post = api_post(world.e1_head)
        url, body = f"{API}/tasks/{task.code}/updates", {"percent": 10, "text": "开始"}
        assert_error(post(url, body, **{KEY: "early"}), 422, "invalid", "不能报送进度")
        assert not IdempotencyRecord.objects.exists()
        services.task_sign_for(task=task, actor=world.e1_head)
        retry = post(url, body, **{KEY: "early"})
        assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
        assert _updates(task) == 1

    def test_a_denial_keeps_its_audit_entry(self, world, task_world, api_post):
        # The guard's transaction commits a refusal's own records: the denial stays audited.
        tw = task_world
        response = api_post(world.district_head)(
            f"{API}/tasks/{tw.d_only.code}/actions/sign_for", {}, **{KEY: "deny-1"}
        )
        assert_error(response, 403, "forbidden")
        assert Entry.objects.filter(
            event="permission.denied", actor_id=world.district_head.pk, object_id=str(tw.d_only.pk)
        ).exists()
        assert not IdempotencyRecord.objects.exists()

    def test_a_5xx_rolls_the_write_back_and_is_not_kept(self, world, signed, api_post, monkeypatch):
        # The report is saved, then building the answer fails: with a key, the report goes too,
        # so the retry reports once rather than twice.
        def broken(update, task_code):
            raise RuntimeError("serializer bug")

        post = api_post(world.e1_head)
        url, body = f"{API}/tasks/{signed.code}/updates", _report(signed)
        before = unchanged(signed)
        with monkeypatch.context() as m:
            m.setattr(tasks_serializers, "progress_update", broken)
            assert_error(post(url, body, **{KEY: "boom"}), 500, "server_error")
        assert unchanged(signed) == before and not IdempotencyRecord.objects.exists()
        retry = post(url, body, **{KEY: "boom"})
        assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
        assert _updates(signed) == 1

    def test_after_24_hours_the_key_is_new_again(self, world, signed, api_post):
        post = api_post(world.e1_head)
        url = f"{API}/tasks/{signed.code}/updates"
        assert post(url, _report(signed, version=None), **{KEY: "day-1"}).status_code == 201
        with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1), tick=False):
            retry = post(url, _report(signed, version=None), **{KEY: "day-1"})
        assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
        assert _updates(signed) == 2 and IdempotencyRecord.objects.count() == 1

    def test_every_post_is_guarded(self, world, api_client, api_post, client):
        """Every POST of the document checks the key (after the token): a malformed one is
        refused before the operation looks for its task."""
        doc = json.loads(client.get(f"{API}/openapi.json").content)
        posts = [path for path, ops in doc["paths"].items() if "post" in ops]
        assert len(posts) >= 4
        post = api_post(world.hq)
        for path in posts:
            url = path.replace("{code}", "NO-SUCH-TASK").replace("{action}", "issue")
            response = post(url, {}, **{KEY: "钥匙"})
            error = assert_error(response, 422, "invalid", "Idempotency-Key")
            assert error["details"][0]["field"] == "Idempotency-Key", path


# --- the guard on its own --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status,kept",
    [
        (200, True),
        (201, True),
        (204, True),
        (400, False),
        (403, False),
        (404, False),
        (409, False),
        (422, False),
        (429, False),
        (500, False),
        (503, False),
    ],
)
def test_only_successes_are_kept(status, kept):
    assert idempotency.keeps(HttpResponse(status=status)) is kept


def _refuse(request, refusal):
    return HttpResponse(refusal.code, status=refusal.status)


def _guarded(view):
    return idempotency.idempotent(scope=lambda request: "test:1", refuse=_refuse)(view)


@pytest.mark.django_db
def test_a_plain_django_view_is_guarded_and_other_methods_pass_through():
    calls = []

    @_guarded
    def view(request):
        calls.append(request.method)
        return HttpResponse(f"call {len(calls)}", status=201, content_type="text/plain")

    def post(data, **extra):  # a form post, as Open311 clients send
        return rf.post(
            "/open311/v2/requests.json", data, content_type="application/x-www-form-urlencoded", **extra
        )

    rf = RequestFactory()
    assert view(post("api_key=k1&service_code=001", **{KEY: "k"})).content == b"call 1"
    replay = view(post("api_key=k1&service_code=001", **{KEY: "k"}))
    assert (replay.status_code, replay.content, replay["Idempotent-Replayed"]) == (201, b"call 1", "true")
    assert replay["Content-Type"] == "text/plain"
    assert view(post("api_key=k1&service_code=002", **{KEY: "k"})).content == b"idempotency_key_reused"
    view(rf.get("/open311/v2/requests.json", **{KEY: "k"}))
    view(post("api_key=k1&service_code=001"))
    assert calls == ["POST", "GET", "POST"]


@pytest.mark.django_db
def test_a_required_key_refuses_a_post_without_one():
    calls = []

    @idempotency.idempotent(
        scope=lambda request: "test:1" if request.headers.get("X-Caller") else None,
        refuse=_refuse,
        required=True,
    )
    def view(request):
        calls.append(request.method)
        return HttpResponse(status=201)

    rf = RequestFactory()
    missing = view(rf.post("/m", {}, content_type="application/json", HTTP_X_CALLER="1"))
    assert (missing.status_code, missing.content) == (400, b"idempotency_key_missing")
    # No caller: the view refuses it itself; a GET needs no key.
    assert view(rf.post("/m", {}, content_type="application/json")).status_code == 201
    assert view(rf.get("/m", HTTP_X_CALLER="1")).status_code == 201
    keyed = view(rf.post("/m", {}, content_type="application/json", HTTP_X_CALLER="1", **{KEY: "k"}))
    assert keyed.status_code == 201 and calls == ["POST", "GET", "POST"]


@pytest.mark.django_db
def test_multipart_uploads_are_told_apart_by_their_files():
    from django.core.files.uploadedfile import SimpleUploadedFile

    seen = []

    @_guarded
    def view(request):
        seen.append(request.FILES["media"].read())
        return HttpResponse("ok", status=201)

    rf = RequestFactory()

    def upload(content):
        return rf.post("/upload", {"note": "x", "media": SimpleUploadedFile("a.jpg", content)}, **{KEY: "up"})

    assert view(upload(b"photo")).status_code == 201
    assert view(upload(b"photo"))["Idempotent-Replayed"] == "true"
    assert view(upload(b"other")).status_code == 422
    assert seen == [b"photo"]  # the view read the whole file, rewound after hashing


@pytest.mark.django_db
def test_a_request_still_running_is_409_with_retry_after():
    """Deterministic stand-in for a concurrent retry: the first request, still inside its
    transaction, sees its own unfinished row when the same request arrives (on SQLite a real
    second connection waits on the write lock instead; PostgreSQL is tested below)."""
    rf = RequestFactory()
    inner = []

    def request():
        return rf.post("/x", {"a": 1}, content_type="application/json", **{KEY: "k"})

    @_guarded
    def view(request_):
        if not inner:
            inner.append(view(request()))
        return HttpResponse("done", status=201)

    assert view(request()).status_code == 201
    (second,) = inner
    assert (second.status_code, second.content, second["Retry-After"]) == (409, b"request_in_progress", "1")
    assert view(request())["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_expiry_deletes_records_older_than_24_hours():
    now = timezone.now()
    for hours, key in ((25, "old"), (24, "edge"), (23, "young")):
        IdempotencyRecord.objects.create(
            scope="token:1",
            key=key,
            method="POST",
            path="/x",
            request_sha256="0" * 64,
            status_code=201,
            created_at=now - timedelta(hours=hours),
        )
    assert expire_idempotency_records(now=now) == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["young"]
    out = io.StringIO()
    with time_machine.travel(now + timedelta(hours=2), tick=False):
        call_command("expire_idempotency_keys", stdout=out)
    assert out.getvalue().strip() == "过期幂等记录:已删除 1 条。" and not IdempotencyRecord.objects.exists()


# --- concurrency on PostgreSQL ---------------------------------------------------------------------

needs_postgres = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (a connection waiting on another's key); set CHUANGWEN_DATABASE_URL",
    ),
]


class _Held:
    """Holds the first request inside its transaction, just after the report is written."""

    def __init__(self, monkeypatch):
        self.entered, self.release = threading.Event(), threading.Event()
        real = services.progress_report

        def held(**kwargs):
            update = real(**kwargs)
            if not self.entered.is_set():
                self.entered.set()
                self.release.wait(20)
            return update

        monkeypatch.setattr(services, "progress_report", held)


def _post_in_thread(url, body, token, key, results, name):
    def send():
        try:
            results[name] = Client().post(
                url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", **{KEY: key}
            )
        finally:
            connection.close()  # each thread has its own connection

    thread = threading.Thread(target=send)
    thread.start()
    return thread


def _wait_for_lock_waiters(count, timeout=20.0):
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.05)
    pytest.fail(f"fewer than {count} retries waited on the key")


@pytest.mark.usefixtures("transactional_db")
class TestConcurrentRetriesOnPostgresql:
    pytestmark = needs_postgres

    def test_ten_concurrent_retries_create_one_report(self, world, signed, monkeypatch):
        """SECURITY-CHECKLIST G3: the same key and body 10 times at once, exactly one report; every
        retry waits for the first and gets its answer (the same id)."""
        monkeypatch.setattr(idempotency, "WAIT_SECONDS", 30)  # a slow CI machine must not time out
        held = _Held(monkeypatch)
        token = token_issue(person=world.e1_head, name="并发", actor=world.secadmin)[1]
        url, body, results = f"{API}/tasks/{signed.code}/updates", _report(signed), {}
        threads = [_post_in_thread(url, body, token, "race", results, "first")]
        assert held.entered.wait(20)
        threads += [_post_in_thread(url, body, token, "race", results, n) for n in range(9)]
        _wait_for_lock_waiters(9)
        held.release.set()
        for thread in threads:
            thread.join(60)
        first = results.pop("first")
        assert first.status_code == 201 and "Idempotent-Replayed" not in first, first.content
        assert len(results) == 9
        for retry in results.values():
            assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
            assert retry.json()["id"] == first.json()["id"]
        assert _updates(signed) == 1

    def test_the_second_gives_up_after_the_wait_with_409(self, world, signed, monkeypatch):
        monkeypatch.setattr(idempotency, "WAIT_SECONDS", 1)
        held = _Held(monkeypatch)
        token = token_issue(person=world.e1_head, name="并发", actor=world.secadmin)[1]
        url, body, results = f"{API}/tasks/{signed.code}/updates", _report(signed), {}
        first = _post_in_thread(url, body, token, "slow", results, "first")
        assert held.entered.wait(20)
        second = _post_in_thread(url, body, token, "slow", results, "second")
        second.join(30)
        held.release.set()
        first.join(30)
        assert_error(results["second"], 409, "request_in_progress", "请求正在处理中")
        assert results["second"]["Retry-After"] == "1"
        assert results["first"].status_code == 201
        third = _post_in_thread(url, body, token, "slow", results, "third")
        third.join(30)
        assert results["third"]["Idempotent-Replayed"] == "true" and _updates(signed) == 1
