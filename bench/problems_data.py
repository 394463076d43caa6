"""A city's problems at scale, generated once in bulk and cached, for the problem benchmarks.

    .venv/bin/python bench/problems_data.py                  # SQLite, var/bench/problems-u3000-p1000000/
    .venv/bin/python bench/problems_data.py --pg             # PostgreSQL cw_bench (created if missing)
    .venv/bin/python bench/problems_data.py --pg --tasks 50000   # the tasks bench's plan on the same database

The demo city grown to --units units by the tasks bench's own unit builder (bench/tasks_pages.py,
so both benches may share one database), then --problems problems reported over the last --days
days.  Each problem lives a whole rectification loop (report → assign → accept → submit →
recheck, with returns, reworks, extensions, park requests and voids in realistic shares, from
the categories' time limits on the working-day calendar), cut at the moment of the build: what
had not happened yet has not happened, so recent problems are still on the desk or being fixed.
Its timeline events and extension requests go with it, and the summary rows (ProblemDaily) are
the sum of `tally.tally()` over the problems, as the services keep them.  Everything is
inserted in batches (executemany on SQLite, COPY on PostgreSQL): a benchmark fixture, not
application data (no audit rows, no photos).  A marker table records the data set; later runs
reuse it as built (dates are not moved: a problem open at the build turns overdue later).

Other benches: `from problems_data import setup, ensure_problem_dataset` (bench/ on sys.path),
call `setup(database_url)` before anything touches Django, then `ensure_problem_dataset()`.
"""

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

BASE_DIR = Path(__file__).resolve().parent.parent
MARKER = "bench_problems_dataset"
PG_URL = "postgres://postgres@127.0.0.1:5432/cw_bench"
DEFAULTS = {"units": 3000, "problems": 1_000_000, "days": 730, "seed": 20261130}
CHUNK = 20_000
UTC = dt_timezone.utc


def setup(database_url: str = "", var_dir: str = "", units: int = 3000, problems: int = 1_000_000) -> None:
    """Point Django at the bench database (PostgreSQL URL, else a SQLite file under var/bench/)."""
    if database_url:
        os.environ["CHUANGWEN_DATABASE_URL"] = database_url
        _create_pg_database(database_url)
    default = BASE_DIR / "var" / "bench" / f"problems-u{units}-p{problems}"
    os.environ.setdefault("CHUANGWEN_VAR_DIR", var_dir or str(default))
    for path in (str(BASE_DIR), str(BASE_DIR / "bench")):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangwen.settings")
    os.environ.setdefault("CHUANGWEN_STATIC_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
    os.environ.setdefault("CHUANGWEN_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()


def _create_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


# --- the marker ----------------------------------------------------------------------------------

def read_marker() -> dict | None:
    from django.db import connection

    if MARKER not in connection.introspection.table_names():
        return None
    with connection.cursor() as cur:
        cur.execute(f"SELECT units, problems, days, seed, built_at, first_id, last_id FROM {MARKER}")
        row = cur.fetchone()
    keys = ("units", "problems", "days", "seed", "built_at", "first_id", "last_id")
    return dict(zip(keys, row, strict=True)) if row else None


def _write_marker(spec: dict, built_at: datetime, first_id: int, last_id: int) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE {MARKER} (units integer, problems integer, days integer, seed integer, "
                    f"built_at varchar(32), first_id bigint, last_id bigint)")
        cur.execute(f"INSERT INTO {MARKER} VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    [spec["units"], spec["problems"], spec["days"], spec["seed"], built_at.isoformat(),
                     first_id, last_id])


def ensure_problem_dataset(*, units: int = 3000, problems: int = 1_000_000, days: int = 730,
                           seed: int = 20261130, tasks: int = 0, migrate: bool = True,
                           quiet: bool = False) -> dict:
    """Build the data set in the configured database unless its marker says it is there; return
    the marker (with "how": built or reused).  A data set reused is first migrated (new indexes
    apply to it), unless `migrate` is false.  `tasks` > 0 first builds the tasks bench's plan."""
    import io

    from django.core.management import call_command
    from django.db import connection

    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    spec = {"units": units, "problems": problems, "days": days, "seed": seed}
    marker = read_marker()
    if marker is not None and tasks <= 0:
        if {k: marker[k] for k in spec} != spec:
            sys.exit(f"the problem data set here was built with {marker}, not {spec}: use another "
                     f"CHUANGWEN_VAR_DIR or database")
        if migrate:
            call_command("migrate", verbosity=0)
        return {**marker, "how": "reused"}
    t0 = time.perf_counter()
    if tasks > 0:
        import tasks_pages

        say(f"tasks: {tasks_pages.build(SimpleNamespace(units=units, tasks=tasks, top=200, seed=20260101))}")
        if marker is not None:
            return {**marker, "how": "reused"}
    call_command("migrate", verbosity=0)
    from chuangwen.org.demo import data as demo
    from chuangwen.org.models import Unit

    if not Unit.objects.filter(code=demo.CITY_CODE).exists():
        try:
            call_command("load_demo", verbosity=0, stdout=io.StringIO())
        except Exception as exc:  # the city and its plan load in separate transactions
            if not Unit.objects.filter(code=demo.CITY_CODE).exists():
                raise
            say(f"warning: load_demo failed after the city: {type(exc).__name__}: {exc}")
    import tasks_pages
    from django.db import transaction

    with transaction.atomic():
        tasks_pages.add_units(units, random.Random(20260101))
    say(f"units: {Unit.objects.count()} ({time.perf_counter() - t0:.0f} s)")
    built_at, first_id, last_id = generate(spec, say)
    _write_marker(spec, built_at, first_id, last_id)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # what autovacuum does soon after a bulk load
            cur.execute("ANALYZE")
    say(f"problems: built in {time.perf_counter() - t0:.0f} s")
    return {**read_marker(), "how": "built"}


# --- generation ----------------------------------------------------------------------------------

SOURCES = (("inspection", 34), ("citizen", 26), ("hotline", 20), ("mock", 10), ("deputy", 4), ("media", 3),
           ("instruction", 3))
SEVERITIES = (("normal", 80), ("serious", 15), ("urgent", 5))
# Who answers for problems, by kind of unit (a share each, then skewed within the kind).
UNIT_SHARES = {"city_dept": 25, "county": 6, "dev_zone": 2, "street": 35, "community": 25, "shop": 4,
               "subordinate": 2, "stationed": 1}
ROADS = ("和平路", "解放路", "人民路", "建设路", "文化路", "中山路", "新华街", "光明街", "青年路", "滨河路")
TEXTS = ("路边垃圾堆放多日无人清理", "人行道被占用经营", "公交站亭玻璃破损", "小区门口车辆乱停", "墙面小广告较多",
         "绿化带黄土裸露", "井盖缺失存在安全隐患", "工地围挡破损扬尘", "路灯夜间不亮", "公厕卫生较差")


class _Writer:
    """Rows into a table: executemany on SQLite (values as Django stores them), COPY on PostgreSQL."""

    def __init__(self, connection):
        self.raw = connection.connection
        self.pg = connection.vendor == "postgresql"

    def put(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        cols = ", ".join(columns)
        if self.pg:
            with self.raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(columns))})"
        self.raw.executemany(sql, [tuple(map(_sqlite_value, row)) for row in rows])


def _sqlite_value(v):
    if isinstance(v, datetime):
        return str(v.astimezone(UTC).replace(tzinfo=None))
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, bool):
        return int(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _skewed(rng, items: list, exponent: float = 0.9) -> tuple[list, list]:
    """items in a random order with Zipf-like weights: a few busy, many quiet."""
    items = list(items)
    rng.shuffle(items)
    return items, [1 / (rank + 1) ** exponent for rank in range(len(items))]


def generate(spec: dict, say) -> tuple[datetime, int, int]:
    from bisect import bisect
    from itertools import accumulate

    from django.db import connection, transaction
    from django.utils import timezone

    from chuangwen.accounts.models import User
    from chuangwen.org.models import Linkage, Post, Unit
    from chuangwen.problems.deadlines import deadline_after
    from chuangwen.problems.models import (
        Category, NumberCounter, Problem, ProblemEvent, ProblemExtension, TimeLimit,
    )
    from chuangwen.problems.summary import COUNTERS, ProblemDaily
    from chuangwen.problems.tally import Facts, close_minutes, local_day, tally
    from chuangwen.workdays.selectors import work_calendar

    rng = random.Random(spec["seed"])
    tz = timezone.get_current_timezone()
    now = timezone.now().astimezone(tz).replace(microsecond=0)
    cal = work_calendar()
    units = {u["id"]: u for u in Unit.objects.values("id", "kind", "parent_id", "path", "code")}
    by_path = {u["path"]: pk for pk, u in units.items()}
    counties = sorted(pk for pk, u in units.items() if u["kind"] in ("county", "dev_zone"))

    def district_of(pk):
        path = units[pk]["path"]
        for end in range(len(path) - 1, 0, -1):
            if path[end - 1] == "/" and by_path.get(path[:end]) in counties:
                return by_path[path[:end]]
        return None

    unit_district = {pk: district_of(pk) for pk in units}
    heads = {}
    for unit_id, person_id, name in (Post.objects.current().filter(is_head=True).order_by("-id")
                                     .values_list("unit_id", "person_id", "person__full_name")):
        heads[unit_id] = (person_id, name)
    link = {}
    for unit_id, person_id, name in (Linkage.objects.current().filter(level__in=[1, 2]).order_by("-level")
                                     .values_list("unit_id", "person_id", "person__full_name")):
        link[unit_id] = (person_id, name)

    def leader_of(pk):
        while pk is not None:
            if pk in link:
                return link[pk]
            pk = units[pk]["parent_id"]
        return (None, "")

    leaders = {pk: leader_of(pk) for pk in units}
    hq = heads[next(pk for pk, u in units.items() if u["code"] == "HQ")]
    inspector = User.objects.filter(username="inspector").values_list("id", "full_name").first() or hq
    pool, weights = [], []
    for kind, share in UNIT_SHARES.items():
        members, w = _skewed(rng, [pk for pk, u in units.items() if u["kind"] == kind])
        if members:
            pool += members
            weights += [share * x / sum(w) for x in w]
    unit_cum = list(accumulate(weights))
    active = Category.objects.filter(is_active=True).values_list("id", flat=True)
    categories, cat_weights = _skewed(rng, list(active), 0.7)
    limits = {(c, s): (a, u) for c, s, a, u
              in TimeLimit.objects.values_list("category_id", "severity", "amount", "unit")}

    # Report times: weekdays busier than weekends, the city busier in the second year.
    days = spec["days"]
    start_day = (now - timedelta(days=days)).date()
    day_weights = []
    for k in range(days + 1):
        day = start_day + timedelta(days=k)
        w = (1.0 if day.weekday() < 5 else 0.6) * (0.7 + 0.6 * k / days)
        if k == days:
            w *= (now.hour * 60 + now.minute) / 1440
        day_weights.append(w)
    picked = rng.choices(range(days + 1), weights=day_weights, k=spec["problems"])
    times = []
    for k in picked:
        day = start_day + timedelta(days=k)
        top = (now.hour * 3600 + now.minute * 60) if k == days else 86400
        second = min(top - 1, int(rng.triangular(6.5 * 3600, 22 * 3600, 10 * 3600)) if top > 23 * 3600
                     else int(rng.uniform(0, top)))
        times.append(datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(seconds=second))
    times.sort()

    fields = [f for f in Problem._meta.concrete_fields]
    p_cols = [f.column for f in fields]
    defaults = {f.attname: f.get_default() for f in fields}
    e_cols = ["problem_id", "kind", "actor_id", "actor_name", "at", "from_status", "to_status", "note",
              "is_public"]
    x_cols = ["problem_id", "reason", "old_deadline", "new_deadline", "status", "requested_by_id",
              "requested_at", "decided_by_id", "decided_at", "decision_note"]
    d_cols = ["day", "unit_id", "district_id", "category_id", *COUNTERS]
    slot = {name: i for i, name in enumerate(COUNTERS)}
    writer = _Writer(connection)
    base = (Problem.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    numbers = dict(NumberCounter.objects.values_list("year", "last"))
    summary: dict = {}
    for row in ProblemDaily.objects.values(*d_cols):
        key = (row["day"], row["unit_id"], row["district_id"], row["category_id"])
        summary[key] = [row[c] for c in COUNTERS]
    codes: set = set()
    closed_by_place: dict = {}
    hours = timedelta(hours=1)

    def gap(lo, hi):
        return timedelta(hours=rng.uniform(lo, hi))

    def dispatch_gap():  # most within the working day; one in ten waits days (facts to check first)
        if rng.random() < 0.1:
            return gap(24, 240)
        return timedelta(hours=min(96.0, rng.lognormvariate(1.4, 1.0)))

    def make(reported: datetime):
        cat = categories[bisect(cat_cum, rng.random() * cat_cum[-1])]
        sev = rng.choices(("normal", "serious", "urgent"), (80, 15, 5))[0]
        source = rng.choices([s for s, _ in SOURCES], [w for _, w in SOURCES])[0]
        unit = pool[min(len(pool) - 1, bisect(unit_cum, rng.random() * unit_cum[-1]))]
        district = unit_district[unit] or rng.choice(counties)
        reporter = (None, "市民") if source in ("citizen", "hotline") else inspector
        ev = [(reported, "report", reporter, "", "reported", True)]
        t = reported + dispatch_gap()
        fate = rng.random()
        if fate < 0.035:
            ev.append((t, "void", hq, "reported", "voided", True))
        else:
            if fate < 0.06:  # misdispatched first: the wrong unit returns it
                ev.append((t, "assign", hq, "reported", "assigned", True, rng.choice(pool)))
                t += gap(1, 20)
                ev.append((t, "return", "unit", "assigned", "returned", False))
                t += dispatch_gap()
            ev.append((t, "assign", hq, ev[-1][4], "assigned", True, unit))
            amount, per = limits.get((cat, sev), (5, "days"))
            due = deadline_after(cal, t, amount, per)
            step = rng.random()
            if step < 0.01:
                ev.append((t + gap(1, 30), "void", hq, "assigned", "voided", True))
            else:
                t += gap(0.3, 20)
                ev.append((t, "accept", "unit", "assigned", "rectifying", True))
                if rng.random() < 0.04 and due > t:
                    asked = t + (due - t) / 2
                    new_due = due + timedelta(days=rng.choice((3, 5, 7, 14)))
                    ev.append((asked, "extension_request", "unit", "", "", False))
                    ev.append((asked + gap(1, 8), "extension_decide", hq, "", "", False, new_due))
                    due = new_due
                if step < 0.035:
                    ev.append((t + gap(24, 96), "request_park", "unit", "rectifying", "park_requested",
                               False))
                    ev.append((ev[-1][0] + gap(8, 72), "approve_park", hq, "park_requested", "parked", True))
                elif step >= 0.04:  # the rest (0.5%) stall: under way, overdue, reminded
                    late = rng.random() < 0.15
                    span = max(due - t, hours)
                    if late:
                        done = due + span * rng.uniform(0.1, 1.5)
                    else:
                        done = t + (due - t) * rng.uniform(0.2, 0.95) if due > t else t + gap(1, 8)
                    ev.append((done, "submit", "unit", "rectifying", "awaiting_recheck", True))
                    if rng.random() < 0.08:
                        ev.append((done + gap(2, 30), "recheck_fail", inspector, "awaiting_recheck", "rework",
                                   True))
                        done = ev[-1][0] + gap(4, 72)
                        ev.append((done, "submit", "unit", "rework", "awaiting_recheck", True))
                    ev.append((done + gap(2, 30), "recheck_pass", inspector, "awaiting_recheck", "closed",
                               True))
                ends = [e[0] for e in ev if e[1] == "submit"] or [now]
                if ends[0] > due + hours:
                    ev.append((due + hours, "remind", None, "", "", False))
        return cat, sev, source, district, reporter, ev

    cat_cum = list(accumulate(cat_weights))
    problems, events, extensions, first_id = [], [], [], base
    t0 = time.perf_counter()

    def flush(upto):
        writer.put(Problem._meta.db_table, p_cols, problems)
        writer.put(ProblemEvent._meta.db_table, e_cols, events)
        writer.put(ProblemExtension._meta.db_table, x_cols, extensions)
        problems.clear(), events.clear(), extensions.clear()
        done = sorted(k for k in summary if upto is None or k[0] < upto)
        writer.put(ProblemDaily._meta.db_table, d_cols, [(*k, *summary.pop(k)) for k in done])

    with transaction.atomic():
        ProblemDaily.objects.all().delete()  # merged into `summary` above, written back below
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute("PRAGMA cache_size = -1000000")
        for i, reported in enumerate(times):
            pid = base + i
            cat, sev, source, district, reporter, ev = make(reported)
            ev = sorted((e for e in ev if e[0] <= now), key=lambda e: e[0])
            row = dict(defaults)
            status, unit, assigned, deadline, original, submitted, closed, reworks, version = (
                "reported", None, None, None, None, None, None, 0, 1)
            for e in ev:
                at, kind = e[0], e[1]
                if kind == "assign":
                    unit, assigned = e[6], at
                    amount, per = limits.get((cat, sev), (5, "days"))
                    deadline = original = deadline_after(cal, at, amount, per)
                elif kind == "return":
                    unit = deadline = None
                elif kind == "extension_decide":
                    deadline = e[6]
                elif kind == "submit":
                    submitted = at
                elif kind == "recheck_pass":
                    closed = at
                elif kind == "recheck_fail":
                    reworks += 1
                if e[4]:
                    status, version = e[4], version + 1
            year = reported.year
            numbers[year] = numbers.get(year, 0) + 1
            code = None
            if source == "citizen":
                while code is None or code in codes:
                    code = "".join(rng.choices("23456789ABCDEFGHJKMNPQRSTUVWXYZ", k=10))
                codes.add(code)
            head = heads.get(unit, (None, "")) if unit else (None, "")
            leader = leaders[unit] if unit else (None, "")
            place = (cat, district)
            rebound = None
            if place in closed_by_place and rng.random() < 0.02:
                prior_id, prior_closed = closed_by_place[place]
                if prior_closed < reported and reported - prior_closed < timedelta(days=90):
                    rebound = prior_id
            if closed:
                closed_by_place[place] = (pid, closed)
            has_point = rng.random() < 0.7
            row.update(
                id=pid, number=f"{year}{numbers[year]:06d}", source=source, category_id=cat, severity=sev,
                description=rng.choice(TEXTS), district_id=district,
                address=f"{rng.choice(ROADS)}{rng.randint(1, 300)}号",
                lng=Decimal(f"{rng.uniform(116.90, 117.30):.7f}") if has_point else None,
                lat=Decimal(f"{rng.uniform(36.50, 36.80):.7f}") if has_point else None,
                suggested_unit_id=unit if unit and rng.random() < 0.6 else None, responsible_unit_id=unit,
                responsible_person_id=head[0], responsible_name=head[1], linked_leader_id=leader[0],
                linked_leader_name=leader[1], deadline=deadline,
                original_deadline=original if deadline else None, status=status, reported_by_id=reporter[0],
                reported_at=reported, assigned_at=assigned, closed_at=closed,
                submitted_at=submitted if status in ("awaiting_recheck", "closed") else None,
                rework_count=reworks, rebound_of_id=rebound, tracking_code=code, version=version,
            )
            problems.append(tuple(row[f.attname] for f in fields))
            for e in ev:
                who = head if e[2] == "unit" else e[2] or (None, "系统")
                note = "" if len(e) < 7 or e[1] != "extension_decide" else "同意延期。"
                events.append((pid, e[1], who[0], who[1], e[0], e[3], e[4], note, e[5]))
            asks = [e for e in ev if e[1] == "extension_request"]
            if asks and original is not None:
                decided = next((e for e in ev if e[1] == "extension_decide"), None)
                extensions.append((pid, "涉及多部门协调,需延长整改时限。", original,
                                   decided[6] if decided else original + timedelta(days=7),
                                   "approved" if decided else "pending", head[0] or hq[0], asks[0][0],
                                   hq[0] if decided else None, decided[0] if decided else None,
                                   "同意延期。" if decided else ""))
            minutes = close_minutes(cal, assigned, closed) if status == "closed" else 0
            facts = Facts(category_id=cat, district_id=district, unit_id=unit, status=status,
                          reported_at=reported, assigned_at=assigned, deadline=deadline,
                          original_deadline=original if deadline else None,
                          closed_at=closed, is_rebound=rebound is not None,
                          rework_days=tuple(local_day(e[0]) for e in ev if e[1] == "recheck_fail"),
                          close_minutes=minutes)
            for key, counts in tally(facts).items():
                acc = summary.get(key)
                if acc is None:
                    acc = summary[key] = [0] * len(COUNTERS)
                for name, n in counts.items():
                    acc[slot[name]] += n
            if len(problems) >= CHUNK:
                flush(local_day(reported))
                if (i + 1) % 200_000 == 0:
                    say(f"  {i + 1} problems ({time.perf_counter() - t0:.0f} s)")
        flush(None)
        for year, last in numbers.items():
            NumberCounter.objects.update_or_create(year=year, defaults={"last": last})
        from django.core.management.color import no_style

        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Problem]):
                cur.execute(sql)
    return now, first_id, base + len(times) - 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, value in DEFAULTS.items():
        ap.add_argument(f"--{name}", type=int, default=value)
    ap.add_argument("--tasks", type=int, default=0, help="also build the tasks bench's plan of N tasks")
    ap.add_argument("--pg", action="store_true", help=f"PostgreSQL: {PG_URL}")
    ap.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite under var/bench/)")
    a = ap.parse_args()
    setup(a.database_url or (PG_URL if a.pg else ""), units=a.units, problems=a.problems)
    marker = ensure_problem_dataset(units=a.units, problems=a.problems, days=a.days, seed=a.seed,
                                    tasks=a.tasks)
    print(marker)


if __name__ == "__main__":
    main()

