"""The evaluation pages: who sees rankings and score cards, HQ's forms (Chinese errors, version
check), and bounded queries."""

from datetime import date

import pytest
import time_machine
from django.contrib.messages import get_messages

from chuangwen.evaluation import services
from chuangwen.evaluation.models import GroupWeights, Period, PeriodKind, PeriodStatus, RankEntry

from .pages import ranking_rows
from .scenario import AFTER, START

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(world, sept):
    with time_machine.travel(AFTER, tick=False):
        return services.period_create(kind=PeriodKind.MONTH, start=START, actor=world.hq)


def texts(response):
    """The messages a refused or accepted form left; following the redirect consumes them."""
    found = [m.message for m in get_messages(response.wsgi_request)]
    if response.status_code == 302:
        response.client.get(response["Location"])
    return found


@pytest.fixture
def as_(client):
    def login(person):
        client.force_login(person)
        return client

    return login


def test_rankings_are_public_to_business_roles_and_cards_only_in_scope(world, period, as_):
    with time_machine.travel(AFTER, tick=False):
        c = as_(world.e1_head)  # head of 西湖社区 in the other district
        html = c.get(f"/evaluation/periods/{period.pk}/?group=community").content.decode()
        assert [name for _, name, _ in ranking_rows(html)] == [
            "测试市/城东区/东街街道/友谊社区", "测试市/城东区/东街街道/和平社区", "测试市/城西区/西湖社区"]
        # Only the own unit's name links to a card.
        assert f"/units/{world.other_community.code}/" in html and f"/units/{world.community.code}/" not in html
        assert c.get(f"/evaluation/periods/{period.pk}/units/{world.other_community.code}/").status_code == 200
        assert c.get(f"/evaluation/periods/{period.pk}/units/{world.community.code}/").status_code == 404
        assert c.get(f"/evaluation/periods/{period.pk}/units/{world.community.code}/tasks/").status_code == 404
        d = as_(world.district_head)  # the district's head sees its communities' cards
        assert d.get(f"/evaluation/periods/{period.pk}/units/{world.community.code}/rules/").status_code == 200
        assert d.get(f"/evaluation/periods/{period.pk}/units/{world.other_community.code}/").status_code == 404


def test_people_without_the_verb_are_refused(world, period, as_):
    c = as_(world.outsider)  # a citizen
    for url in ("/evaluation/", f"/evaluation/periods/{period.pk}/",
                f"/evaluation/periods/{period.pk}/units/{world.community.code}/", "/evaluation/weights/"):
        assert c.get(url).status_code == 403


def test_only_hq_may_create_finalise_or_edit(world, period, as_):
    c = as_(world.district_head)
    html = c.get(f"/evaluation/periods/{period.pk}/").content.decode()
    assert "确认定榜" not in html and "新建考评周期" not in c.get("/evaluation/").content.decode()
    assert c.post(f"/evaluation/periods/{period.pk}/finalise/").status_code == 403
    assert c.post("/evaluation/periods/new/", {"kind": "month", "start": "2026-08-01"}).status_code == 403
    assert c.post("/evaluation/weights/group/", {"group": "street"}).status_code == 403
    assert c.post("/evaluation/weights/rule/", {"code": "base"}).status_code == 403
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN and Period.objects.count() == 1


def test_hq_creates_and_finalises_a_period_through_the_pages(world, sept, as_):
    with time_machine.travel(AFTER, tick=False):
        c = as_(world.hq)
        r = c.post("/evaluation/periods/new/", {"kind": "month", "start": "2026-09-01"})
        period = Period.objects.get()
        assert r.status_code == 302 and r["Location"] == f"/evaluation/periods/{period.pk}/"
        html = c.get(r["Location"]).content.decode()
        assert "确认定榜" in html and "考评中" in html
        r = c.post(f"/evaluation/periods/{period.pk}/finalise/", {"version": period.version})
        assert "“2026年9月”已定榜,排名已固定。" in texts(r)
        assert RankEntry.objects.filter(period=period).count() == 5
        r = c.post(f"/evaluation/periods/{period.pk}/finalise/", {"version": period.version + 1})
        assert texts(r) == ["该考评周期已定榜,不能重复定榜。"]


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "month", "start": "2026-09-15"}, "月度考评周期应从当月1日开始。"),
    ({"kind": "quarter", "start": "2026-08-01"}, "季度考评周期应从1月、4月、7月或10月的1日开始。"),
    ({"kind": "month", "start": "九月"}, "请填写有效的日期。"),
    ({"kind": "month"}, "请填写开始日期。"),
    ({"kind": "decade", "start": "2026-01-01"}, "选择一个有效的选项。 decade 不在可用的选项中。"),
])
def test_bad_periods_are_refused_with_chinese_messages(world, as_, data, message):
    with time_machine.travel(AFTER, tick=False):
        r = as_(world.hq).post("/evaluation/periods/new/", data)
    assert r.status_code == 302 and texts(r) == [message]
    assert not Period.objects.exists()


def weights_post(group, version, **over):
    data = {"group": group, f"{group}-version": version, f"{group}-w_tasks": 30, f"{group}-w_problem_on_time": 30,
            f"{group}-w_rework": 10, f"{group}-w_handover": 20, f"{group}-w_mock": 10,
            f"{group}-component_share": 60}
    data.update({f"{group}-{k}": v for k, v in over.items()})
    return data


def test_hq_edits_weights_with_a_version_check(world, as_):
    c = as_(world.hq)
    page = c.get("/evaluation/weights/").content.decode()
    assert 'id="weights-street"' in page and "默认" in page
    r = c.post("/evaluation/weights/group/", weights_post("street", 0))
    assert texts(r) == ["街道的权重已保存。"]
    row = GroupWeights.objects.get(group="street")
    assert (row.w_tasks, row.component_share, row.include_subtree, row.version) == (30, 60, False, 1)
    # A second form loaded before the first save is stale.
    r = c.post("/evaluation/weights/group/", weights_post("street", 0, w_tasks=40, w_mock=0))
    assert texts(r) == ["该组权重已被他人修改,请刷新后重试。"]
    r = c.post("/evaluation/weights/group/", weights_post("street", 1, w_tasks=50))
    assert texts(r) == ["各项权重之和应为 100,现为 120。"]
    r = c.post("/evaluation/weights/group/", weights_post("street", 1, w_tasks="许多"))
    assert texts(r) == ["任务按期完成率:请填写整数。"]
    r = c.post("/evaluation/weights/group/", {"group": "planet"})
    assert texts(r) == ["请选择排名组。"]
    assert GroupWeights.objects.get(group="street").version == 1


def test_hq_edits_a_rule(world, as_):
    c = as_(world.hq)
    r = c.post("/evaluation/weights/rule/", {"code": "city_problem", "city_problem-version": 0,
                                             "city_problem-points": "-3", "city_problem-on_spot_points": "-1.5",
                                             "city_problem-is_active": "on"})
    assert texts(r) == ["“市级督查发现问题”已保存。"]
    r = c.post("/evaluation/weights/rule/", {"code": "city_problem", "city_problem-version": 1,
                                             "city_problem-points": "3", "city_problem-on_spot_points": "0"})
    assert texts(r) == ["“市级督查发现问题”是扣分项,分值应小于或等于 0。"]
    html = c.get("/evaluation/weights/").content.decode()
    assert 'value="-3.00"' in html and 'value="-1.50"' in html


def test_a_unit_head_reads_the_weights_without_forms(world, as_):
    html = as_(world.c1_head).get("/evaluation/weights/").content.decode()
    assert "任务按期完成率" in html and "<form method=\"post\" action=\"/evaluation/weights/group/\"" not in html


def test_finalised_pages_read_the_snapshot_in_few_queries(world, period, as_, django_assert_max_num_queries):
    with time_machine.travel(AFTER, tick=False):
        services.period_finalise(period=period, actor=world.hq)
        c = as_(world.c1_head)
        c.get("/evaluation/")  # the session and the person, once
        with django_assert_max_num_queries(12):
            assert c.get(f"/evaluation/periods/{period.pk}/?group=community").status_code == 200
        with django_assert_max_num_queries(14):
            assert c.get(f"/evaluation/periods/{period.pk}/units/{world.community.code}/").status_code == 200


def test_the_trend_lists_the_last_periods(world, sept, as_):
    with time_machine.travel(AFTER, tick=False):
        aug = services.period_create(kind=PeriodKind.MONTH, start=date(2026, 8, 1), actor=world.hq)
        sep = services.period_create(kind=PeriodKind.MONTH, start=START, actor=world.hq)
        services.period_finalise(period=sep, actor=world.hq)
        oct_ = services.period_create(kind=PeriodKind.MONTH, start=date(2026, 10, 1), actor=world.hq)
        html = as_(world.c1_head).get(f"/evaluation/periods/{oct_.pk}/units/{world.community.code}/").content
    html = html.decode()
    trend = html[html.index('id="trend"'):]
    # August had no data for 和平社区 (not ranked); September is frozen; October is live.
    assert "2026年9月" in trend and "2026年10月" in trend and "2026年8月" not in trend
    assert trend.index("2026年9月") < trend.index("2026年10月")
    assert aug.status == PeriodStatus.OPEN
