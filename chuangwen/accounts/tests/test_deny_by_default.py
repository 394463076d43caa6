"""Deny by default (checklist B4, D5): every URL the project resolves needs a login, except an
explicit allow-list, and unsafe requests need a CSRF token."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from chuangwen.org.models import Unit

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
# Paths an anonymous visitor may get a page from (200), and nothing else.
# The OpenAPI document describes the interface only (no data) and is what API clients fetch first.
# 随手拍: the citizen's report form and the tracking-code lookup (a tracking page and its photos
# need a valid code: an unknown one is a 404, which the walk below accepts as a refusal).
# The published 红黑榜 (rewards.public_urls) is public by design, like the citizen's pages.
ALLOWED_ANONYMOUS = {LOGIN, "/healthz", "/api/v1/openapi.json", "/report/", "/report/track/", "/honours/"}
# Open311 GeoReport v2 (docs/open311.md): public reads of public information; its POST is opened
# by an api_key (403 without one), never by a session.
OPEN311_ANONYMOUS = {"/open311/v2/discovery.xml", "/open311/v2/services.xml", "/open311/v2/requests.xml"}
ALLOWED_ANONYMOUS |= OPEN311_ANONYMOUS
# 401: an API endpoint asking for its token.
DENIED = {401, 403, 404, 405}
# Values tried, in order, for a URL parameter the world has no sample for.
FALLBACK_VALUES = ("1", "x", "00000000-0000-0000-0000-000000000001", "x/y")


def _group_end(regex: str, start: int) -> int:
    """Index just past the parenthesised group that opens at `start`."""
    depth, i = 0, start
    while i < len(regex):
        if regex[i] == "\\":
            i += 2
            continue
        if regex[i] == "(":
            depth += 1
        elif regex[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(regex)


def _fill(regex: str, samples: dict[str, str]) -> str:
    """A concrete path for a URL regex: each named group becomes a sample value (or the first
    literal of an alternation such as admin's `(?P<app_label>org|accounts)`)."""
    out, i = [], 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            name = regex[i + 4 : regex.index(">", i)]
            end = _group_end(regex, i)
            body = regex[regex.index(">", i) + 1 : end - 1]
            if name in samples:
                out.append(samples[name])
            elif re.fullmatch(r"[\w|]+", body):
                out.append(body.split("|")[0])
            else:
                fits = [v for v in FALLBACK_VALUES if re.fullmatch(body, v)]
                assert fits, f"no sample value for URL parameter {name!r} in {regex}"
                out.append(fits[0])
            i = end
        elif regex[i] == "\\":
            out.append(regex[i + 1])
            i += 2
        else:
            out.append(regex[i])
            i += 1
    return "".join(out)


def _walk(patterns, prefix=""):
    for p in patterns:
        regex = prefix + p.pattern.regex.pattern.lstrip("^").removesuffix("\\Z").removesuffix("$")
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, regex)
        elif isinstance(p, URLPattern):
            yield regex, p


def every_url(world) -> list[str]:
    samples = {
        "code": world.community.code,
        "username": world.c1_head.username,
        "object_id": str(world.community.pk),
        "content_type_id": str(ContentType.objects.get_for_model(Unit).pk),
        "url": "no/such/page/",
    }
    urls, seen = [], set()
    for regex, pattern in _walk(get_resolver().url_patterns):
        if regex in seen:
            # django-ninja adds one named pattern per operation on a path (for reverse()); the
            # first one serves every method of that path.
            continue
        seen.add(regex)
        path = "/" + _fill(regex, samples)
        # The generated path must reach the pattern it was made from.
        assert resolve(path).func == pattern.callback or pattern.name is None, (path, pattern)
        urls.append(path)
    return sorted(set(urls))


def group_detail_url(world):
    return f"/org/groups/{world.group.code}/"


def landing(response) -> tuple[int, str]:
    """Where a request ends after following redirects: (status, path)."""
    path = (
        response.redirect_chain[-1][0].split("?")[0]
        if response.redirect_chain
        else response.request["PATH_INFO"]
    )
    return response.status_code, path


def test_every_url_is_covered(world):
    urls = every_url(world)
    # The project's own pages and the admin site are all in the walk.
    for expected in (
        "/",
        LOGIN,
        "/accounts/logout/",
        "/accounts/password/",
        "/org/units/",
        "/org/units/export.xlsx",
        f"/org/units/{world.community.code}/children/",
        "/org/people/c1_head/",
        "/manage/",
        "/manage/org/unit/",
        "/healthz",
    ):
        assert expected in urls
    assert len(urls) > 40


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_requests_are_sent_to_login_or_refused(world, method):
    client = Client()
    leaks = []
    for url in every_url(world) + [group_detail_url(world)]:
        response = getattr(client, method)(url, follow=True)
        status, path = landing(response)
        if url in ALLOWED_ANONYMOUS:
            keyless_post = method == "post" and url in OPEN311_ANONYMOUS and status == 403
            assert status in (200, 405) or keyless_post, (method, url, status)
            continue
        if status in DENIED:
            continue
        if status == 200 and path == LOGIN:
            continue
        leaks.append((url, status, path))
    assert leaks == []


@pytest.mark.parametrize("url", ["/", "/org/units/", "/manage/", "/manage/org/unit/", "/accounts/password/"])
def test_anonymous_visitors_go_to_the_one_login_page_and_come_back(world, client, url):
    response = client.get(url, follow=True)
    assert landing(response) == (200, LOGIN)
    login_url = response.redirect_chain[-1][0]
    response = client.post(login_url, {"username": "hq", "password": world.password}, follow=True)
    assert landing(response) == (200, url)


def test_the_admin_login_page_refuses_a_signed_in_person_without_admin_roles(world, login):
    response = login(world.outsider).get("/manage/login/?next=/manage/")
    assert response.status_code == 403


def test_healthz_answers_anonymous_probes(db):
    response = Client().get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")


def test_static_files_are_served_without_login(db, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/chuangwen/app.css")  # a new client loads the middleware anew
    assert response.status_code == 200
    assert b"".join(response.streaming_content)


# --- citizen persona: signed in, but no business role ---------------------------------------


def test_a_citizen_is_refused_every_org_and_admin_url(world, login):
    client = login(world.outsider)
    leaks = []
    for url in every_url(world) + [group_detail_url(world)]:
        if not url.startswith(("/org/", "/manage/")):
            continue
        response = client.get(url, follow=True)
        status, path = landing(response)
        if status in DENIED or (status == 200 and path == LOGIN):
            continue
        leaks.append((url, status, path))
    assert leaks == []


# --- CSRF ------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.c1_head)
    return client


def test_logout_without_a_csrf_token_is_refused_and_keeps_the_session(csrf_client):
    assert csrf_client.post("/accounts/logout/").status_code == 403
    assert csrf_client.get("/").status_code == 200


def test_password_change_without_a_csrf_token_is_refused(csrf_client, world):
    from chuangwen.accounts.models import User

    response = csrf_client.post(
        "/accounts/password/",
        {
            "old_password": world.password,
            "new_password1": "Tz!8qLm#4vPw",
            "new_password2": "Tz!8qLm#4vPw",
        },
    )
    assert response.status_code == 403
    assert User.objects.get(pk=world.c1_head.pk).check_password(world.password)


def test_login_without_a_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "c1_head", "password": world.password})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_admin_change_without_a_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.hq)
    response = client.post(f"/manage/org/unit/{world.street.pk}/change/", {"name": "改名街道"})
    assert response.status_code == 403
    assert Unit.objects.get(pk=world.street.pk).name == "东街街道"


def test_logout_with_the_csrf_token_from_the_page_works(csrf_client):
    page = csrf_client.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = csrf_client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert csrf_client.get("/").status_code == 302
