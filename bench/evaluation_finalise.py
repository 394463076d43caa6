"""Finalising a month (定榜) for a city of 3,000 units over 1M problems and 50k tasks, and the
evaluation pages on it, beside a bare reference in the same run.

    .venv/bin/python bench/evaluation_finalise.py                 # SQLite, var/bench/evaluation-u3000-p1000000-t50000/
    .venv/bin/python bench/evaluation_finalise.py --pg            # PostgreSQL database cw_bench_eval (created if missing)
    .venv/bin/python bench/evaluation_finalise.py --database-url postgres://...

The data set is bench/problems_data.py's (the demo city grown to --units units, --problems
problems over two years with their summary rows), with the tasks bench's plan of --tasks tasks
(bench/tasks_pages.py: handovers, extensions) built into the same database first.  Built once;
later runs reuse it.

Then, for the last full month before the data set was built:

* `period_finalise` timed --finalise-runs times, each inside a transaction rolled back at the
  end (so every run finalises the same month from scratch; target: under 10 s);
* `engine.compute()` alone (the reads), and its queries run bare (cursor, no ORM), which is the
  floor the database sets;
* the month finalised for real once, then the pages timed through Django's test client
  (in-process, no server) as HQ: the ranking of the communities, a district's score card (its
  whole subtree), a community's card, a records list; and one live card of an open month
  (computed on the fly);
* /healthz (a view returning a constant) as the reference: "× ref" is a median over its median.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))

import problems_data  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/cw_bench_eval"
FINALISE_TARGET_S = 10.0


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--units", type=int, default=3000)
    ap.add_argument("--problems", type=int, default=1_000_000)
    ap.add_argument("--tasks", type=int, default=50_000)
    ap.add_argument("--finalise-runs", type=int, default=3, help="timed finalisations (rolled back)")
    ap.add_argument("-n", type=int, default=20, help="timed requests per page (after 2 warm-ups)")
    ap.add_argument("--pg", action="store_true", help=f"PostgreSQL: {PG_URL}")
    ap.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite under var/bench/)")
    return ap.parse_args()


def month_before(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def main() -> None:
    a = parse_args()
    var_dir = str(BASE_DIR / "var" / "bench" / f"evaluation-u{a.units}-p{a.problems}-t{a.tasks}")
    problems_data.setup(a.database_url or (PG_URL if a.pg else ""), var_dir=var_dir, units=a.units,
                        problems=a.problems)
    t0 = time.perf_counter()
    marker = problems_data.ensure_problem_dataset(units=a.units, problems=a.problems, tasks=a.tasks)
    run(a, marker, time.perf_counter() - t0)


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def run(a, marker: dict, setup_s: float) -> None:
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from chuangwen.accounts.models import User
    from chuangwen.accounts.roles import Role
    from chuangwen.evaluation import engine, services
    from chuangwen.evaluation.models import Period, PeriodKind, PeriodStatus, RankEntry
    from chuangwen.org.models import Unit, UnitKind
    from chuangwen.problems.models import Problem
    from chuangwen.problems.summary import ProblemDaily
    from chuangwen.tasks.models import Handover, Task

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    db = connection.settings_dict
    where = f"PostgreSQL {db['NAME']}" if connection.vendor == "postgresql" else f"SQLite {db['NAME']}"
    print(f"database: {where}")
    print(f"data: {Unit.objects.count()} units, {Problem.objects.count()} problems, "
          f"{ProblemDaily.objects.count()} summary rows, {Task.objects.count()} tasks, "
          f"{Handover.objects.count()} handovers ({marker['how']}, setup {setup_s:.0f} s)")
    hq = User.objects.filter(username="hq_director").first() or User.objects.with_role(Role.HQ_STAFF).first()
    built = marker["built_at"]
    built_day = built.date() if hasattr(built, "date") else date.fromisoformat(str(built)[:10])
    start = month_before(min(built_day, timezone.localdate()))
    today = timezone.localdate()
    period = (Period.objects.filter(kind=PeriodKind.MONTH, start=start).first()
              or services.period_create(kind=PeriodKind.MONTH, start=start, actor=hq, today=today))
    print(f"month: {period.label} ({period.start} to {period.end}); {os.getloadavg()[0]:.1f} load before timing")

    # --- finalising, rolled back each time --------------------------------------------------------
    def finalise_once():
        with transaction.atomic():
            p = Period.objects.select_for_update().get(pk=period.pk)
            if p.status == PeriodStatus.FINALISED:  # finalised for real by an earlier run: undo it here
                RankEntry.objects.filter(period=p).delete()
                p.status, p.finalised_at, p.finalised_by = PeriodStatus.OPEN, None, None
                p.save(update_fields=["status", "finalised_at", "finalised_by"])
            t0 = time.perf_counter()
            done = services.period_finalise(period=p, actor=hq, today=today)
            elapsed = time.perf_counter() - t0
            n = RankEntry.objects.filter(period=done).count()
            transaction.set_rollback(True)
        return elapsed, n

    runs = [finalise_once() for _ in range(a.finalise_runs)]
    secs = [r[0] for r in runs]
    med = statistics.median(secs)
    verdict = "ok" if med < FINALISE_TARGET_S else f"MISSED by {med - FINALISE_TARGET_S:.1f} s"
    print(f"\nperiod_finalise: {runs[0][1]} entries written; runs {', '.join(f'{s:.2f}' for s in secs)} s; "
          f"median {med:.2f} s  target under {FINALISE_TARGET_S:.0f} s: {verdict}")

    with CaptureQueriesContext(connection) as ctx:
        result = engine.compute(period.start, period.end)
    statements = [q["sql"] for q in ctx.captured_queries]
    compute_ms = timed(lambda: engine.compute(period.start, period.end), a.finalise_runs)

    def bare():
        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql, None)
                cur.fetchall()

    bare_ms = timed(bare, a.finalise_runs)
    print(f"engine.compute(): {len(statements)} queries, {sum(len(c) for c in result.cards.values())} units "
          f"scored; median {statistics.median(compute_ms):.0f} ms; the same queries bare (cursor): median "
          f"{statistics.median(bare_ms):.0f} ms")
    for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]:
        print(f"  {float(q['time']) * 1000:7.0f} ms  {q['sql'][:150]}")

    # --- pages -------------------------------------------------------------------------------------
    done = Period.objects.get(pk=period.pk)
    if done.status != PeriodStatus.FINALISED:
        done = services.period_finalise(period=done, actor=hq, today=today)
    open_start = start.replace(year=start.year - 1)
    live = (Period.objects.filter(kind=PeriodKind.MONTH, start=open_start).first()
            or services.period_create(kind=PeriodKind.MONTH, start=open_start, actor=hq, today=today))
    district_entry = RankEntry.objects.filter(period=done, group="district").order_by("rank").first()
    community_entry = RankEntry.objects.filter(period=done, group="community").order_by("rank").first()
    district = Unit.objects.get(pk=district_entry.unit_id) if district_entry else \
        Unit.objects.filter(kind=UnitKind.COUNTY).first()
    community = Unit.objects.get(pk=community_entry.unit_id) if community_entry else \
        Unit.objects.filter(kind=UnitKind.COMMUNITY).first()
    client = Client()
    client.force_login(hq)
    cases = [
        ("/healthz", None, a.n),
        (f"ranking: communities ({RankEntry.objects.filter(period=done, group='community').count()})",
         f"/evaluation/periods/{done.pk}/?group=community", a.n),
        (f"card: district {district.code}", f"/evaluation/periods/{done.pk}/units/{district.code}/", a.n),
        (f"card: community {community.code}", f"/evaluation/periods/{done.pk}/units/{community.code}/", a.n),
        ("records: district, on-time", f"/evaluation/periods/{done.pk}/units/{district.code}/problem_on_time/",
         a.n),
        (f"card: live, open {live.label}", f"/evaluation/periods/{live.pk}/units/{community.code}/", 3),
    ]
    print(f"\n{'page':44s} {'queries':>7s} {'mean':>8s} {'median':>8s} {'p95':>8s} {'× ref':>6s}")
    ref = None
    anon = Client()
    for label, url, n in cases:
        c = anon if url is None else client
        path = url or "/healthz"

        def fn(c=c, path=path):
            r = c.get(path)
            assert r.status_code == 200, (path, r.status_code)

        timed(fn, 2)
        wall = timed(fn, n)
        with CaptureQueriesContext(connection) as qctx:
            fn()
        median = statistics.median(wall)
        ref = ref or median
        print(f"{label:44s} {len(qctx.captured_queries):7d} {statistics.mean(wall):8.1f} {median:8.1f} "
              f"{p95(wall):8.1f} {median / ref:6.0f}")
    print(f"\nms per request, in-process (test client, no server); load {os.getloadavg()[0]:.1f} after timing "
          f"on {os.cpu_count()} CPUs.")


if __name__ == "__main__":
    main()
