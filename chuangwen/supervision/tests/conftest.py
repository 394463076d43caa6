"""Instructions, meetings and visits built through the services on the shared test world."""

from datetime import date

import pytest

from chuangwen.supervision import services
from chuangwen.tasks import services as tasks
from chuangwen.tasks.tests.conftest import TODAY, policy, today  # noqa: F401 (fixtures)

DEADLINE = date(2026, 10, 30)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def fixes(**over) -> services.Fixes:
    kw = dict(deadline=DEADLINE, title="落实批示:背街小巷整治", content="一周内完成背街小巷垃圾清运。",
              standard="落实领导批示要求")
    kw.update(over)
    return services.Fixes(**kw)


@pytest.fixture
def instruction(world, today):  # noqa: F811
    return services.instruction_create(leader=world.mayor, date=date(2026, 9, 10), title="关于背街小巷环境问题的批示",
                                       text="请城东区抓紧整改,限期办结。", doc_number="上创文〔2026〕5号",
                                       actor=world.hq)


@pytest.fixture
def meeting(world, today):  # noqa: F811
    return services.meeting_create(kind="topic", date=date(2026, 9, 12), title="创文工作专题会议", chair=world.mayor,
                                   attendees="市长、各区区长", decisions=["背街小巷限期整治", "农贸市场提档升级"],
                                   actor=world.hq)


def complete(task, world, head, *, accept=True):
    """The lead unit signs for, reports 100% and hands in; HQ's head accepts (tasks services)."""
    tasks.task_sign_for(task=task, actor=head)
    tasks.progress_report(task=task, actor=head, percent=100, text="已全部完成")
    tasks.handover_submit(task=task, actor=head, summary="已完成整治")
    if accept:
        tasks.handover_accept(task=task, actor=world.hq, note="验收通过")
    task.refresh_from_db()
    return task


@pytest.fixture
def market(world, today):  # noqa: F811
    """A registered site in district D that community C2 answers for (problems there route to C2)."""
    from chuangwen.places.catalogue import ensure_site_types
    from chuangwen.places.models import SiteType
    from chuangwen.places.services import site_create

    ensure_site_types(SiteType)
    return site_create(name="和平农贸市场", site_type=SiteType.objects.get(code="T24"), district=world.district,
                       responsible_unit=world.community2, address="和平路8号", actor=world.hq)


@pytest.fixture
def rubbish(db):
    from chuangwen.problems.catalogue import ensure_catalogue
    from chuangwen.problems.models import Category, TimeLimit

    ensure_catalogue(Category, TimeLimit)
    return Category.objects.get(code="SJ0101")


@pytest.fixture
def visit(world, market):
    return services.visit_create(kind="npc", date=date(2026, 9, 14), title="创文工作视察", members="市人大代表张某等8人",
                                 sites=[market], actor=world.hq)
