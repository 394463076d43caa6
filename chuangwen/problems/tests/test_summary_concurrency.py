"""Concurrent transitions of problems that share summary rows add up (no lost update, no
deadlock), on PostgreSQL: the rows are created with ON CONFLICT DO NOTHING and incremented with
F() under row locks taken in key order."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from chuangwen.problems import services
from chuangwen.problems.metrics import recompute, summary_table
from chuangwen.problems.models import Problem, Source

THREADS, PER_THREAD = 6, 3

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL (concurrent row locks); set CHUANGWEN_DATABASE_URL"),
]


def test_concurrent_transitions_keep_the_summary_exact(transactional_world, rubbish):
    w = transactional_world
    start, errors = threading.Barrier(THREADS), []

    def worker(n: int):
        try:
            start.wait()
            for _ in range(PER_THREAD):
                # The same category, district and unit, on the same day: every worker increments
                # the same summary rows.
                p = services.problem_report(source=Source.INSPECTION, category=rubbish, actor=w.inspector,
                                            description=f"并发{n}", district=w.district, address="和平路")
                p = services.problem_assign(problem=p, actor=w.hq, unit=w.community)
                p = services.problem_accept(problem=p, actor=w.c1_head)
                p = services.problem_request_park(problem=p, actor=w.c1_head, reason="需改造")
                approve = n % 2 == 0
                p = services.problem_decide_park(problem=p, actor=w.hq, approve=approve, note="意见")
                if approve and n % 3 == 0:  # worker 0 resumes the work; 2 and 4 stay parked
                    services.problem_unpark(problem=p, actor=w.hq)
        except Exception as exc:  # noqa: BLE001 - every failure is the finding
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(120)
    assert errors == []
    assert Problem.objects.count() == THREADS * PER_THREAD
    days = Problem.objects.values_list("reported_at", "deadline")
    first = min(timezone.localdate(r) for r, _ in days)
    last = max(timezone.localdate(d) for _, d in days)
    stored = summary_table(first, last)
    assert stored == recompute(first, last)
    assert sum(c["reported"] for c in stored.values()) == THREADS * PER_THREAD
    assert sum(c["due_deferred"] for c in stored.values()) == PER_THREAD * 2  # workers 2 and 4
