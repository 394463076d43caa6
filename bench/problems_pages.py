"""Problem lists and metrics at city scale, against a bare reference view in the same run.

    .venv/bin/python bench/problems_pages.py          # SQLite, var/bench/problems-u3000-p1000000/
    .venv/bin/python bench/problems_pages.py --pg     # PostgreSQL database cw_bench

Uses the cached data set of bench/problems_data.py (built on first use: 1,000,000 problems over
3,000 units and 2 years).  Times, in-process through Django's test client (no server, no
network): HQ's dispatch desk, first page, 30 pages deep, and filtered by a category (first and
second page) and by a district; the busiest
unit's own list (本单位问题: its default tab, the tab being fixed, and the closed tab first and
deep); then the metrics selector for every unit over one month (`metrics.unit_metrics`, what
the pages, the API and the reports share) for HQ and for a district head, and the backlog by
age.  Each reports mean, median, p95, this process's CPU time and the ratio of the median to
/healthz (a view returning a constant) measured in the same run.  Target: median under 100 ms;
a case over it prints "MISSED by X ms".  --explain lists each case's slowest queries and plans.
"""

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from problems_data import DEFAULTS, PG_URL, ensure_problem_dataset, setup  # noqa: E402

TARGET_MS = 100.0


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, value in DEFAULTS.items():
        ap.add_argument(f"--{name}", type=int, default=value)
    ap.add_argument("-n", type=int, default=30, help="timed runs per case (after 3 warm-ups)")
    ap.add_argument("--pg", action="store_true", help=f"PostgreSQL: {PG_URL}")
    ap.add_argument("--no-migrate", action="store_true",
                    help="time the data set as it is (no pending migrations)")
    ap.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite under var/bench/)")
    ap.add_argument("--explain", action="store_true",
                    help="each case's slowest queries and the slowest one's plan")
    ap.add_argument("--only", default="", help="run only the cases whose label contains this text")
    return ap.parse_args()


def month_before(day: date) -> tuple[date, date]:
    """The last whole calendar month before `day`."""
    end = day.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def main() -> None:
    a = parse_args()
    setup(a.database_url or (PG_URL if a.pg else ""), units=a.units, problems=a.problems)
    t0 = time.perf_counter()
    marker = ensure_problem_dataset(units=a.units, problems=a.problems, days=a.days, seed=a.seed,
                                    migrate=not a.no_migrate)

    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    import tasks_pages as tp
    from chuangwen.accounts.models import User
    from chuangwen.org.models import Post, Unit
    from chuangwen.problems import metrics
    from chuangwen.problems.models import DISPATCH_STATUSES, Category, Problem, ProblemStatus

    db = connection.settings_dict
    where = (f"PostgreSQL {connection.cursor().connection.info.server_version} {db['NAME']}"
             if connection.vendor == "postgresql" else f"SQLite {db['NAME']}")
    print(f"database: {where}")
    print(f"data: {Unit.objects.count()} units, {marker['last_id'] - marker['first_id'] + 1} problems built "
          f"{marker['built_at']} ({marker['how']}, setup {time.perf_counter() - t0:.1f} s)")
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

    hq = User.objects.get(username="hq_director")
    desk_ids = list(Problem.objects.filter(status__in=DISPATCH_STATUSES).order_by("-id")
                    .values_list("id", flat=True))
    deep = desk_ids[min(len(desk_ids) - 1, 30 * 30)] if desk_ids else 0
    category = Category.objects.get(pk=Problem.objects.filter(status__in=DISPATCH_STATUSES).values_list(
        "category_id").annotate(n=Count("id")).order_by("-n")[0][0])
    desk_cat = list(Problem.objects.filter(status__in=DISPATCH_STATUSES, category=category).order_by("-id")
                    .values_list("id", flat=True))
    cat_p2 = desk_cat[min(len(desk_cat) - 1, 29)]
    district = Unit.objects.get(pk=Problem.objects.filter(status__in=DISPATCH_STATUSES).exclude(district=None)
                                .values_list("district_id").annotate(n=Count("id")).order_by("-n")[0][0])
    busiest = (Problem.objects.exclude(responsible_unit=None).values_list("responsible_unit_id")
               .annotate(n=Count("id")).order_by("-n")[0])
    unit = Unit.objects.get(pk=busiest[0])
    head = Post.objects.current().filter(unit=unit, is_head=True).select_related("person").first().person
    closed = Problem.objects.filter(responsible_unit=unit, status=ProblemStatus.CLOSED)
    closed_ids = list(closed.order_by("-id").values_list("id", flat=True)[:3001])
    deep_closed = closed_ids[-1]
    district_head = User.objects.get(username="district_head")
    built = date.fromisoformat(marker["built_at"][:10])
    start, end = month_before(built)
    print(f"desk: {len(desk_ids)} waiting (deep page: before id {deep}, ~30 pages in; filtered: "
          f"{category.code} {category.name}, {len(desk_cat)} waiting; district {district.name}); busiest "
          f"unit: {unit.name} ({unit.code}), {busiest[1]} problems, {closed.count()} closed (deep page: 100 "
          f"pages in), head {head.username}; metrics month {start}..{end}")
    print(f"{tp.load()} before timing")

    def metric(user, **kw):
        def fn():
            return metrics.unit_metrics(User.objects.get(pk=user.pk), start=start, end=end, **kw)
        return fn

    def backlog(user, **kw):
        def fn():
            return metrics.backlog_by_age(User.objects.get(pk=user.pk), **kw)
        return fn

    cases = [  # (label, persona, kind, subject, counts against the target)
        ("/healthz", "anonymous", "url", (None, "/healthz"), False),
        ("/problems/desk/", "HQ staff", "url", (hq, "/problems/desk/"), True),
        ("/problems/desk/ 30 pages in", "HQ staff", "url", (hq, f"/problems/desk/?before={deep}"), True),
        ("/problems/desk/?category=", "HQ staff", "url",
         (hq, f"/problems/desk/?category={category.code}"), True),
        ("/problems/desk/?category= page 2", "HQ staff", "url",
         (hq, f"/problems/desk/?category={category.code}&before={cat_p2}"), True),
        ("/problems/desk/?district=", "HQ staff", "url",
         (hq, f"/problems/desk/?district={district.code}"), True),
        ("/problems/ (default tab)", "unit head", "url", (head, "/problems/"), True),
        ("/problems/?tab=rectifying", "unit head", "url", (head, "/problems/?tab=rectifying"), True),
        ("/problems/?tab=closed", "unit head", "url", (head, "/problems/?tab=closed"), True),
        ("/problems/?tab=closed 100 pages in", "unit head", "url",
         (head, f"/problems/?tab=closed&before={deep_closed}"), True),
        ("unit_metrics month by unit", "HQ staff", "call", metric(hq), True),
        ("unit_metrics month by unit", "district head", "call", metric(district_head), True),
        ("unit_metrics month by district", "HQ staff", "call", metric(hq, group_by="district"), True),
        ("unit_metrics month total", "HQ staff", "call", metric(hq, group_by=None), True),
        ("backlog_by_age by unit", "HQ staff", "call", backlog(hq, group_by="unit"), False),
        ("backlog_by_age by unit", "district head", "call", backlog(district_head, group_by="unit"), False),
    ]
    if a.only:
        cases = [c for c in cases if c[0] == "/healthz" or a.only in c[0]]
    clients, ref, report = {}, None, []
    print(f"\n{'case':36s} {'persona':13s} {'queries':>7s} {'mean':>7s} {'median':>7s} {'p95':>7s} "
          f"{'cpu med':>7s} {'× ref':>7s}  target: median under {TARGET_MS:.0f} ms")
    for label, persona, kind, subject, target in cases:
        if kind == "url":
            user, url = subject
            client = clients.get(user)
            if client is None:
                client = clients[user] = Client()
                if user is not None:
                    client.force_login(user)
            fn = tp.get(client, url)
        else:
            fn = subject
        tp.timed(fn, 3)
        wall, cpu = tp.timed(fn, a.n)
        with CaptureQueriesContext(connection) as ctx:
            fn()
        median = statistics.median(wall)
        ref = ref or median
        verdict = ("ok" if median < TARGET_MS else f"MISSED by {median - TARGET_MS:.1f} ms") if target else ""
        print(f"{label:36s} {persona:13s} {len(ctx.captured_queries):7d} {statistics.mean(wall):7.1f} "
              f"{median:7.1f} {tp.p95(wall):7.1f} {statistics.median(cpu):7.1f} {median / ref:7.0f}  "
              f"{verdict}", flush=True)
        report.append((label, persona, ctx.captured_queries))
    print(f"\n{tp.load()} after timing; today {timezone.localdate()}.  ms: wall clock per request or call, "
          f"in-process; cpu med: this process's CPU (PostgreSQL's own work is not in it); × ref: median over "
          f"the /healthz median.")
    if a.explain:
        for label, persona, captured in report[1:]:
            total = sum(float(q["time"]) for q in captured) * 1000
            print(f"\n  {label} ({persona}): {len(captured)} queries, {total:.1f} ms in SQL")
            slowest = sorted(captured, key=lambda q: -float(q["time"]))[:3]
            for q in slowest:
                print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:400]}")
            if slowest and slowest[0]["sql"].lstrip().upper().startswith("SELECT"):
                print("    plan of the slowest:")
                print(tp.explain(slowest[0]["sql"]))


if __name__ == "__main__":
    main()
