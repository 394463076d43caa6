"""A plan and tasks built through the services on top of the shared test world."""

from datetime import date

import pytest
import time_machine

from chuangwen.tasks import services
from chuangwen.tasks.catalogue import ensure_catalogue
from chuangwen.tasks.models import RewardPolicy

# A Wednesday well before the 2026 National Day holiday; deadlines below are relative to it.
TODAY = date(2026, 9, 16)


@pytest.fixture
def today():
    with time_machine.travel(f"{TODAY.isoformat()} 10:00 +0800", tick=False):
        yield TODAY


@pytest.fixture
def policy(db):
    ensure_catalogue(RewardPolicy)  # a transactional test's flush takes the migration's rows
    return RewardPolicy.objects.get(code="JC01")


@pytest.fixture
def plan(world, today):
    return services.plan_create(year=2026, title="创建全国文明城市工作方案", issuing_unit=world.hq_unit,
                                actor=world.hq, doc_number="上创文指〔2026〕1号")


def draft_kwargs(world, policy, **over):
    kw = dict(title="背街小巷环境整治", content="完成辖区背街小巷路面修复和垃圾清运。",
              standard="城市管理规范有序", deadline=date(2026, 10, 30), lead_unit=world.district,
              criteria="实地检查无暴露垃圾", points=5, policy=policy)
    kw.update(over)
    return kw


@pytest.fixture
def draft(world, plan, policy):
    return services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy))


@pytest.fixture
def issued(world, draft):
    return services.task_issue(task=draft, actor=world.hq)
