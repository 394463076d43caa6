"""The administrators' pages answer only the management network (checklist B1)."""

import pytest

from chuangwen.audit.models import Entry, Outcome

from .conftest import last_seq

pytestmark = pytest.mark.django_db

OUTSIDE = "198.51.100.7"


@pytest.mark.parametrize(
    "url", ["/console/", "/console/accounts/", "/console/audit/", "/manage/", "/manage/org/post/"]
)
def test_refuses_administrators_outside_the_management_network(world, login, url):
    client = login(world.sysadmin if "audit" not in url else world.auditor)
    seq = last_seq()
    response = client.get(url, REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 403
    assert "管理网络" in response.content.decode()
    entry = Entry.objects.get(seq=seq + 1)
    assert (entry.event, entry.outcome, entry.ip) == ("permission.denied", Outcome.DENIED, OUTSIDE)
    assert entry.changes["path"] == [None, url]


def test_refuses_a_post_from_outside_before_anything_happens(world, login):
    from chuangwen.accounts.models import User

    client = login(world.sysadmin)
    data = {"username": "far", "full_name": "远方", "password": "Qz8-river-Stone-42"}
    response = client.post("/console/new-account/", data, REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 403 and not User.objects.filter(username="far").exists()


def test_refuses_anonymous_visitors_from_outside_without_a_login_redirect(world, client):
    assert client.get("/manage/", REMOTE_ADDR=OUTSIDE).status_code == 403
    assert client.get("/console/", REMOTE_ADDR=OUTSIDE).status_code == 403


def test_the_rest_of_the_site_is_reachable_from_outside(world, login):
    client = login(world.hq)
    assert client.get("/org/units/", REMOTE_ADDR=OUTSIDE).status_code == 200


def test_the_allowed_networks_come_from_settings(world, login, settings):
    settings.ADMIN_NETWORKS = ["10.20.0.0/16"]
    client = login(world.sysadmin)
    assert client.get("/console/accounts/", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/console/accounts/", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_a_forwarded_address_counts_only_from_a_trusted_proxy(world, login, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    client = login(world.sysadmin)
    # A client cannot claim to be local through the header...
    assert client.get("/console/", REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 403
    # ...but the trusted proxy's report of the real client is believed.
    assert client.get("/console/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE).status_code == 403
    response = client.get("/console/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert response.status_code == 200


def test_ipv6_loopback_is_in_the_default_networks(world, login):
    assert login(world.sysadmin).get("/console/", REMOTE_ADDR="::1").status_code == 200


def test_a_malformed_network_setting_fails_the_system_check(settings):
    from chuangwen.console.checks import admin_networks_check

    settings.ADMIN_NETWORKS = ["10.0.0.0/8", "intranet"]
    assert [e.id for e in admin_networks_check()] == ["chuangwen.console.E001"]
    settings.ADMIN_NETWORKS = ["127.0.0.0/8", "::1/128"]
    assert admin_networks_check() == []
