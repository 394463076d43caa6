"""HQ's master data of problems: categories, time limits and the routing table, through the
services (rules, audit, refusals, stale edits) and the admin site (HQ edits, the dispatch desk's
suggestion and the next deadline follow; other roles are refused)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.audit.models import Entry
from chuangwen.org import services as org
from chuangwen.org.services import StaleVersion
from chuangwen.problems import services
from chuangwen.problems.models import Category, ProblemStatus, RoutingRule, Source, TimeLimit
from chuangwen.problems.routing import suggest_unit
from chuangwen.problems.services import catalogue as cat

from .conftest import NOW

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def entries(event: str, obj) -> list[Entry]:
    return list(Entry.objects.filter(event=event, object_id=str(obj.pk)).order_by("seq"))


def report(world, category):
    return services.problem_report(source=Source.INSPECTION, category=category, description="路边暴露垃圾",
                                   actor=world.inspector, district=world.district, address="和平路12号")


# --- categories ---------------------------------------------------------------------------------


def test_category_create_and_update_are_audited(world, rubbish):
    created = cat.category_create(actor=world.hq, code="sj0601", name="共享单车乱停放", kind="event",
                                  group="街面秩序", sort_order=40)
    assert (created.code, created.is_active) == ("SJ0601", True)
    [entry] = entries("problem.category_create", created)
    assert entry.actor_id == world.hq.pk and entry.changes["code"] == [None, "SJ0601"]

    fp = cat.fingerprint(created)
    updated = cat.category_update(category=created, actor=world.hq, expected=fp, name="共享单车乱停乱放",
                                  is_active=False)
    assert updated.name == "共享单车乱停乱放" and not updated.is_active
    [entry] = entries("problem.category_update", created)
    assert entry.changes == {"name": ["共享单车乱停放", "共享单车乱停乱放"], "is_active": [True, False]}
    # A retired category takes no new reports; reinstated, it does again.
    with pytest.raises(ValidationError, match="已停用"):
        report(world, updated)
    cat.category_update(category=updated, actor=world.hq, is_active=True)
    assert report(world, Category.objects.get(pk=created.pk)).status == ProblemStatus.REPORTED


def test_category_refusals_change_nothing(world, rubbish):
    with pytest.raises(ValidationError, match="已被使用"):
        cat.category_create(actor=world.hq, code="SJ0101", name="重复", kind="event", group="市容环境")
    with pytest.raises(ValidationError, match="类别名称"):
        cat.category_create(actor=world.hq, code="SJ0699", name="  ", kind="event", group="市容环境")
    with pytest.raises(ValidationError, match="部件或事件"):
        cat.category_update(category=rubbish, actor=world.hq, kind="other")
    with pytest.raises(ValidationError, match="不能在此修改"):
        cat.category_update(category=rubbish, actor=world.hq, code="X1")
    stale = cat.fingerprint(rubbish)
    cat.category_update(category=rubbish, actor=world.hq, sort_order=99)
    with pytest.raises(StaleVersion, match="已被他人修改"):
        cat.category_update(category=rubbish, actor=world.hq, expected=stale, name="别的名字")
    with pytest.raises(PermissionDenied, match="维护问题类别与派遣规则"):
        cat.category_update(category=rubbish, actor=world.district_head, name="越权")
    rubbish.refresh_from_db()
    assert (rubbish.name, rubbish.sort_order) == ("暴露垃圾", 99)
    assert Entry.objects.filter(event="permission.denied", actor_id=world.district_head.pk,
                                changes__verb=[None, "problem.configure"]).exists()
    assert not Category.objects.filter(code="SJ0699").exists()


# --- time limits --------------------------------------------------------------------------------


def test_time_limit_set_applies_to_the_next_assignment(world, routed, now):
    before = services.problem_assign(problem=report(world, routed), actor=world.hq)
    assert before.deadline.isoformat() == "2026-09-17T17:30:00+08:00"  # 1 working day
    given = before.deadline
    limit = TimeLimit.objects.get(category=routed, severity="normal")
    changed = cat.time_limit_set(category=routed, severity="normal", amount=3, unit="hours", actor=world.hq,
                                 expected=cat.fingerprint(limit))
    assert (changed.pk, changed.amount, changed.unit) == (limit.pk, 3, "hours")
    [entry] = entries("problem.time_limit_set", changed)
    assert entry.changes == {"amount": [1, 3], "unit": ["days", "hours"]}
    after = services.problem_assign(problem=report(world, routed), actor=world.hq)
    assert after.deadline.isoformat() == "2026-09-16T13:00:00+08:00"
    before.refresh_from_db()
    assert before.deadline == given  # deadlines already given stay


@pytest.mark.parametrize(("amount", "unit", "message"), [
    (0, "days", "应大于 0"), (-2, "hours", "应大于 0"), (181, "days", "180 个工作日"),
    (201, "hours", "200 个工作小时"), (2, "weeks", "工作小时或工作日"), ("2", "days", "整数"),
])
def test_time_limit_refusals(world, rubbish, amount, unit, message):
    with pytest.raises(ValidationError, match=message):
        cat.time_limit_set(category=rubbish, severity="normal", amount=amount, unit=unit, actor=world.hq)
    assert TimeLimit.objects.get(category=rubbish, severity="normal").amount == 1


def test_time_limit_created_for_a_new_category_and_stale_edits_refused(world, rubbish):
    new = cat.category_create(actor=world.hq, code="SJ0602", name="乱拉乱挂", kind="event", group="宣传广告")
    limit = cat.time_limit_set(category=new, severity="urgent", amount=4, unit="hours", actor=world.hq,
                               expected="")
    [entry] = entries("problem.time_limit_set", limit)
    assert entry.changes["category"] == [None, "SJ0602"] and entry.changes["amount"] == [None, 4]
    # Someone who opened the form before the row existed, or before it changed, is refused.
    with pytest.raises(StaleVersion):
        cat.time_limit_set(category=new, severity="urgent", amount=6, unit="hours", actor=world.hq,
                           expected="")
    with pytest.raises(ValidationError, match="严重程度"):
        cat.time_limit_set(category=new, severity="huge", amount=1, unit="days", actor=world.hq)
    with pytest.raises(PermissionDenied):
        cat.time_limit_set(category=new, severity="normal", amount=1, unit="days", actor=world.inspector)
    assert TimeLimit.objects.filter(category=new).count() == 1


# --- routing rules ------------------------------------------------------------------------------


def test_routing_rule_set_update_and_delete(world, rubbish):
    assert suggest_unit(category=rubbish, district=world.district) is None
    rule = cat.routing_rule_set(category=rubbish, district=world.district, unit=world.street, actor=world.hq)
    assert suggest_unit(category=rubbish, district=world.district) == world.street
    # A city department answers in any district.
    again = cat.routing_rule_set(category=rubbish, district=world.district, unit=world.dept_sub,
                                 actor=world.hq, expected=cat.fingerprint(rule))
    assert again.pk == rule.pk and report(world, rubbish).suggested_unit == world.dept_sub
    set_entries = entries("problem.route_set", rule)
    assert [e.changes["unit"] for e in set_entries] == [[None, "Q01-J01"], ["Q01-J01", "D01-01"]]
    assert set_entries[0].changes["district"] == [None, "Q01"]
    cat.routing_rule_delete(rule=again, actor=world.hq)
    assert not RoutingRule.objects.exists()
    assert suggest_unit(category=rubbish, district=world.district) is None
    [entry] = entries("problem.route_delete", rule)
    assert entry.changes["unit"] == ["D01-01", None] and entry.actor_id == world.hq.pk


def test_routing_rule_refusals(world, rubbish):
    refusals = [
        ({"district": world.street, "unit": world.street}, "不能作为派遣规则的区县"),
        ({"district": world.district, "unit": world.other_community}, "属于城西区"),
        ({"district": world.district, "unit": world.hq_unit}, "不承担整改"),
        ({"district": world.district, "unit": world.leadership}, "不承担整改"),
    ]
    for kwargs, message in refusals:
        with pytest.raises(ValidationError, match=message):
            cat.routing_rule_set(category=rubbish, actor=world.hq, **kwargs)
    org.unit_abolish(unit=world.community2, actor=world.hq, reason="撤并")
    with pytest.raises(ValidationError, match="已撤销"):
        cat.routing_rule_set(category=rubbish, district=world.district, unit=world.community2, actor=world.hq)
    with pytest.raises(PermissionDenied):
        cat.routing_rule_set(category=rubbish, district=world.district, unit=world.street,
                             actor=world.c1_head)
    rule = cat.routing_rule_set(category=rubbish, district=world.district, unit=world.street, actor=world.hq)
    stale = cat.fingerprint(rule)
    cat.routing_rule_set(category=rubbish, district=world.district, unit=world.community, actor=world.hq)
    with pytest.raises(StaleVersion):
        cat.routing_rule_delete(rule=rule, actor=world.hq, expected=stale)
    with pytest.raises(PermissionDenied):
        cat.routing_rule_delete(rule=rule, actor=world.mayor)
    assert RoutingRule.objects.get().unit == world.community


# --- the admin site -----------------------------------------------------------------------------


def test_hq_adds_a_routing_rule_in_the_admin_and_the_desk_suggests_it(client, login, world, rubbish):
    login(world.hq)
    for url in ("/manage/problems/", "/manage/problems/routingrule/", "/manage/problems/routingrule/add/",
                "/manage/problems/category/", f"/manage/problems/category/{rubbish.pk}/change/",
                "/manage/problems/category/add/"):
        assert client.get(url).status_code == 200, url
    response = client.post("/manage/problems/routingrule/add/", {
        "category": rubbish.pk, "district": world.district.pk, "unit": world.community.pk})
    assert response.status_code == 302, text(response)
    rule = RoutingRule.objects.get()
    assert (rule.category, rule.district, rule.unit) == (rubbish, world.district, world.community)
    assert entries("problem.route_set", rule)[0].actor_id == world.hq.pk
    assert report(world, rubbish).suggested_unit == world.community
    page = text(client.get(f"/manage/problems/routingrule/{rule.pk}/change/"))
    assert cat.fingerprint(rule) in page

    # The same pair again, or a unit of another district: the form says why, nothing changes.
    response = client.post("/manage/problems/routingrule/add/", {
        "category": rubbish.pk, "district": world.district.pk, "unit": world.street.pk})
    assert response.status_code == 200 and "已有派遣规则" in text(response)
    response = client.post(f"/manage/problems/routingrule/{rule.pk}/change/", {
        "unit": world.other_community.pk, "expected": cat.fingerprint(rule)})
    assert response.status_code == 200 and "属于城西区" in text(response)
    # A street is not offered as a district.
    response = client.post("/manage/problems/routingrule/add/", {
        "category": rubbish.pk, "district": world.street.pk, "unit": world.street.pk})
    assert response.status_code == 200 and RoutingRule.objects.count() == 1

    # A stale edit is refused; a fresh one goes through the service; deleting too.
    stale = cat.fingerprint(rule)
    cat.routing_rule_set(category=rubbish, district=world.district, unit=world.street, actor=world.hq)
    response = client.post(f"/manage/problems/routingrule/{rule.pk}/change/", {
        "unit": world.community2.pk, "expected": stale})
    assert response.status_code == 200 and "已被他人修改" in text(response)
    rule.refresh_from_db()
    response = client.post(f"/manage/problems/routingrule/{rule.pk}/change/", {
        "unit": world.community2.pk, "expected": cat.fingerprint(rule)})
    assert response.status_code == 302
    assert report(world, rubbish).suggested_unit == world.community2
    response = client.post(f"/manage/problems/routingrule/{rule.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not RoutingRule.objects.exists()
    assert entries("problem.route_delete", rule)[0].actor_id == world.hq.pk


def _limits_post(category, changes: dict) -> dict:
    """The category change form as the browser posts it, with `changes` {severity: (amount, unit)}."""
    limits = list(TimeLimit.objects.filter(category=category).order_by("pk"))
    data = {
        "name": category.name, "kind": category.kind, "group": category.group,
        "sort_order": category.sort_order, "is_active": "on" if category.is_active else "",
        "expected": cat.fingerprint(category),
        "limits-TOTAL_FORMS": len(limits), "limits-INITIAL_FORMS": len(limits),
        "limits-MIN_NUM_FORMS": 0, "limits-MAX_NUM_FORMS": 3,
    }
    for i, limit in enumerate(limits):
        amount, unit = changes.get(limit.severity, (limit.amount, limit.unit))
        data.update({f"limits-{i}-id": limit.pk, f"limits-{i}-category": category.pk,
                     f"limits-{i}-amount": amount, f"limits-{i}-unit": unit,
                     f"limits-{i}-expected": cat.fingerprint(limit)})
    return data


def test_hq_changes_a_time_limit_in_the_admin_and_the_next_deadline_follows(client, login, world, routed,
                                                                           now):
    login(world.hq)
    response = client.post(f"/manage/problems/category/{routed.pk}/change/",
                           _limits_post(routed, {"normal": (0, "days")}))
    assert response.status_code == 200 and "时限应大于 0" in text(response)
    response = client.post(f"/manage/problems/category/{routed.pk}/change/",
                           _limits_post(routed, {"normal": (2, "hours")}))
    assert response.status_code == 302, text(response)
    limit = TimeLimit.objects.get(category=routed, severity="normal")
    assert (limit.amount, limit.unit) == (2, "hours")
    # Only the row that changed is written (one audit entry), through the service.
    [entry] = Entry.objects.filter(event="problem.time_limit_set")
    assert entry.object_id == str(limit.pk) and entry.actor_id == world.hq.pk
    assert not Entry.objects.filter(event="problem.category_update").exists()
    p = services.problem_assign(problem=report(world, routed), actor=world.hq)
    assert p.assigned_at == NOW and p.deadline.isoformat() == "2026-09-16T12:00:00+08:00"


def test_hq_adds_a_category_with_its_limits_in_the_admin(client, login, world, rubbish):
    login(world.hq)
    response = client.post("/manage/problems/category/add/", {
        "code": "SJ0603", "name": "乱晾乱晒", "kind": "event", "group": "街面秩序", "sort_order": 50,
        "limits-TOTAL_FORMS": 3, "limits-INITIAL_FORMS": 0, "limits-MIN_NUM_FORMS": 0,
        "limits-MAX_NUM_FORMS": 3,
        "limits-0-severity": "normal", "limits-0-amount": 2, "limits-0-unit": "days",
        "limits-1-severity": "serious", "limits-1-amount": 1, "limits-1-unit": "days",
        "limits-2-severity": "urgent", "limits-2-amount": 4, "limits-2-unit": "hours",
    })
    assert response.status_code == 302, text(response)
    new = Category.objects.get(code="SJ0603")
    assert {(t.severity, t.amount, t.unit) for t in new.limits.all()} == {
        ("normal", 2, "days"), ("serious", 1, "days"), ("urgent", 4, "hours")}
    assert len(entries("problem.category_create", new)) == 1
    assert Entry.objects.filter(event="problem.time_limit_set").count() == 3
    # A category is retired, never deleted.
    assert client.get(f"/manage/problems/category/{new.pk}/delete/").status_code == 403
    stale = _limits_post(new, {})
    cat.category_update(category=new, actor=world.hq, name="乱晾晒")
    stale["name"] = "乱晾乱晒衣物"
    response = client.post(f"/manage/problems/category/{new.pk}/change/", stale)
    assert response.status_code == 200 and "已被他人修改" in text(response)
    assert Category.objects.get(pk=new.pk).name == "乱晾晒"


def test_the_admin_is_closed_to_other_roles(client, login, world, rubbish):
    login(world.district_head)
    assert client.get("/manage/problems/routingrule/", follow=True).status_code == 403
    assert client.post("/manage/problems/routingrule/add/", {
        "category": rubbish.pk, "district": world.district.pk, "unit": world.community.pk},
        follow=True).status_code == 403
    login(world.secadmin)  # may enter the admin site, but holds no problem.configure
    assert client.get("/manage/problems/category/").status_code == 403
    assert client.get(f"/manage/problems/category/{rubbish.pk}/change/").status_code == 403
    assert not RoutingRule.objects.exists()
