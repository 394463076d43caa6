"""The overdue board and "my tasks" at city scale, against a bare reference view in the same run.

    .venv/bin/python bench/tasks_pages.py                      # SQLite, var/bench/tasks-u3000-t50000/
    .venv/bin/python bench/tasks_pages.py --database-url postgres://postgres@127.0.0.1:5432/chuangwen_bench

Builds (once) the demo city plus enough towns, villages and street-front shops (each with a head)
to reach --units units, one plan and --tasks tasks decomposed down the unit tree, with milestones,
progress updates, timeline events, handovers and extensions.  Everything is bulk-inserted (a
benchmark fixture, not application data: no audit rows, no services).  A marker table records
the data set, so later runs reuse it (and move its dates by the days elapsed, so the colours stay
as built).  SQLite lives in $CHUANGWEN_VAR_DIR (default var/bench/tasks-u<units>-t<tasks>/);
PostgreSQL in the database named by --database-url or CHUANGWEN_DATABASE_URL (an empty one).

Then it times each page in-process through Django's test client (no server, no network) and
reports the mean, median and p95 and the ratio of the median to /healthz (a view returning a
constant) measured in the same run, which absorbs the machine's noise; beside the pages, the
board's own queries run bare (cursor) and through the selector, so the cost splits into SQL,
ORM and template.  Pages over the target print "MISSED by X ms"; the run always reports.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
TARGET_MS = 150.0


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--units", type=int, default=3000, help="units in the city (demo city included)")
    ap.add_argument("--tasks", type=int, default=50000, help="tasks in the plan")
    ap.add_argument("--top", type=int, default=200, help="top-level tasks HQ gives")
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("-n", type=int, default=30, help="timed requests per page (after 3 warm-ups)")
    ap.add_argument("--database-url", default="", help="PostgreSQL URL (default: CHUANGWEN_DATABASE_URL, "
                                                       "else SQLite under $CHUANGWEN_VAR_DIR)")
    ap.add_argument("--explain", action="store_true",
                    help="after timing, list each page's queries (count, slowest) and the slowest one's plan")
    ap.add_argument("--build-only", action="store_true", help="build (or check) the data set and stop")
    return ap.parse_args()


args = parse_args() if __name__ == "__main__" else None
if args is not None:
    if args.database_url:
        os.environ["CHUANGWEN_DATABASE_URL"] = args.database_url
    os.environ.setdefault("CHUANGWEN_VAR_DIR",
                          str(BASE_DIR / "var" / "bench" / f"tasks-u{args.units}-t{args.tasks}"))
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangwen.settings")
os.environ.setdefault("CHUANGWEN_STATIC_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("CHUANGWEN_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import DateField, ExpressionWrapper, F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from chuangwen.accounts.models import User  # noqa: E402
from chuangwen.accounts.roles import Role, to_mask  # noqa: E402
from chuangwen.org.demo import data as demo  # noqa: E402
from chuangwen.org.models import (  # noqa: E402
    PATH_SEGMENT_WIDTH,
    Linkage,
    Post,
    Unit,
    UnitKind,
    WorkGroupMember,
)
from chuangwen.tasks import selectors  # noqa: E402
from chuangwen.tasks.models import (  # noqa: E402
    OPEN_STATUSES,
    Extension,
    Handover,
    HandoverStatus,
    Milestone,
    Plan,
    ProgressUpdate,
    Task,
    TaskEvent,
    TaskEventKind,
    TaskStatus,
)

MARKER = "bench_tasks_dataset"
BATCH = 4000
S = TaskStatus


# --- the data set --------------------------------------------------------------------------------


def read_marker() -> dict | None:
    if MARKER not in connection.introspection.table_names():
        return None
    with connection.cursor() as cur:
        cur.execute(f"SELECT units, tasks, top_level, seed, dates_as_of FROM {MARKER}")
        row = cur.fetchone()
    if row is None:
        return None
    units, tasks, top, seed, as_of = row
    return {"units": units, "tasks": tasks, "top": top, "seed": seed,
            "as_of": date.fromisoformat(str(as_of)[:10])}


def write_marker(a, as_of: date) -> None:
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (units integer, tasks integer, top_level integer, "
                    f"seed integer, dates_as_of varchar(10))")
        cur.execute(f"DELETE FROM {MARKER}")
        cur.execute(f"INSERT INTO {MARKER} VALUES (%s, %s, %s, %s, %s)",
                    [a.units, a.tasks, a.top, a.seed, as_of.isoformat()])


def shift_dates(days: int) -> None:
    """Move the dates the colours depend on (deadlines, milestone and extension dates) by `days`,
    so a data set built earlier shows today the colours it was built with."""
    delta = timedelta(days=days)

    def moved(field):
        return ExpressionWrapper(F(field) + delta, output_field=DateField())

    with transaction.atomic():
        Task.objects.update(deadline=moved("deadline"), original_deadline=moved("original_deadline"))
        Milestone.objects.update(due=moved("due"))
        Extension.objects.update(old_deadline=moved("old_deadline"), new_deadline=moved("new_deadline"))
        with connection.cursor() as cur:
            cur.execute(f"UPDATE {MARKER} SET dates_as_of = %s", [timezone.localdate().isoformat()])


def build(a) -> str:
    call_command("migrate", verbosity=0)
    if not Unit.objects.filter(code=demo.CITY_CODE).exists():
        try:
            call_command("load_demo", verbosity=0, stdout=io.StringIO())
        except Exception as exc:  # the city and its plan load in separate transactions
            if not Unit.objects.filter(code=demo.CITY_CODE).exists():
                raise
            print(f"warning: load_demo failed after loading the city, going on without the demo plan: "
                  f"{type(exc).__name__}: {exc}")
    marker = read_marker()
    today = timezone.localdate()
    if marker is not None:
        wanted = {"units": a.units, "tasks": a.tasks, "top": a.top, "seed": a.seed}
        if {k: marker[k] for k in wanted} != wanted:
            sys.exit(f"the data set in this database was built with {marker}, not {wanted}: use another "
                     f"CHUANGWEN_VAR_DIR (SQLite) or an empty database (PostgreSQL)")
        if marker["as_of"] != today:
            shift_dates((today - marker["as_of"]).days)
            return f"reused, dates moved {(today - marker['as_of']).days} days"
        return "reused"
    rng = random.Random(a.seed)
    with transaction.atomic():
        add_units(a.units, rng)
        n = add_tasks(a.tasks, a.top, rng, today)
        write_marker(a, today)
    if connection.vendor == "postgresql":
        # What autovacuum does shortly after a bulk load in production.
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return f"built ({n} tasks)"


NUMERALS = "一二三四五六七八九十"


def person_name(rng) -> str:
    given = rng.choice(demo.GIVEN_FIRST) + (rng.choice(demo.GIVEN_SECOND) if rng.random() < 0.7 else "")
    return rng.choice(demo.SURNAMES) + given


def _insert_units(specs, rng, unusable, since) -> list[Unit]:
    """specs: [(parent Unit, code, name, kind, sort_order, head title)] -> the units, with paths."""
    units = [Unit(code=code, name=name, kind=kind, parent=parent, sort_order=order,
                  path=f"tmp-{code}", depth=parent.depth + 1, full_name=f"{parent.full_name}/{name}")
             for parent, code, name, kind, order, _ in specs]
    Unit.objects.bulk_create(units, batch_size=BATCH)
    for u in units:
        u.path = f"{u.parent.path}{u.pk:0{PATH_SEGMENT_WIDTH}d}/"
    Unit.objects.bulk_update(units, ["path"], batch_size=BATCH)
    heads = [User(username=f"{u.code.lower()}.head", full_name=person_name(rng), password=unusable,
                  roles_mask=to_mask([Role.UNIT_HEAD])) for u in units]
    User.objects.bulk_create(heads, batch_size=BATCH)
    Post.objects.bulk_create([Post(person=h, unit=u, title=spec[5], is_head=True, valid_from=since)
                              for h, u, spec in zip(heads, units, specs, strict=True)], batch_size=BATCH)
    return units


def add_units(target: int, rng) -> None:
    """Towns and villages for the counties (6 × 8 each when there is room), then street-front
    shops spread over the urban districts' communities up to `target` units."""
    unusable = make_password(None)
    extra = target - Unit.objects.count()
    if extra <= 0:
        return
    counties = list(Unit.objects.filter(kind__in=[UnitKind.COUNTY, UnitKind.DEV_ZONE])
                    .exclude(code__in=demo.URBAN_DISTRICTS).order_by("code"))
    towns_per, villages_per = 6, 8
    if extra >= 2 * len(counties) * towns_per * (1 + villages_per):
        specs = [(c, f"{c.code}-J{j:02d}", f"{c.name[:2]}{NUMERALS[j - 1]}镇", UnitKind.STREET, j,
                  "镇党委书记") for c in counties for j in range(1, towns_per + 1)]
        towns = _insert_units(specs, rng, unusable, demo.SINCE)
        specs = [(t, f"{t.code}-S{s:02d}", f"{t.name}{NUMERALS[s - 1]}村", UnitKind.COMMUNITY, s,
                  "村党支部书记") for t in towns for s in range(1, villages_per + 1)]
        _insert_units(specs, rng, unusable, demo.SINCE)
        extra = target - Unit.objects.count()
    urban = Unit.objects.none()
    for code in demo.URBAN_DISTRICTS:
        district = Unit.objects.get(code=code)
        urban |= Unit.objects.filter(path__startswith=district.path, kind=UnitKind.COMMUNITY)
    communities = list(urban.order_by("path"))
    have = {c.pk: c.children.count() for c in communities}
    specs = []
    for i in range(extra):
        c = communities[i % len(communities)]
        have[c.pk] += 1
        p = have[c.pk]
        name = rng.choice(demo.SHOP_BRANDS) + rng.choice(demo.SHOP_TYPES) + f"({p}号)"
        specs.append((c, f"{c.code}-P{p:03d}", name, UnitKind.SHOP, p, "店主"))
    _insert_units(specs, rng, unusable, demo.SINCE)


class Node:
    __slots__ = ("id", "parent", "children", "issuing", "lead", "code", "status", "deadline", "group")

    def __init__(self, parent, issuing, lead):
        self.parent, self.issuing, self.lead, self.children = parent, issuing, lead, []
        self.id = self.code = self.status = self.deadline = self.group = None


def add_tasks(target: int, top: int, rng, today: date) -> int:
    units = {u.pk: u for u in Unit.objects.only("id", "code", "kind", "parent_id", "path", "depth")}
    kids: dict[int, list[int]] = {}
    for u in sorted(units.values(), key=lambda u: u.path):
        if u.parent_id:
            kids.setdefault(u.parent_id, []).append(u.pk)
    by_code = {u.code: u.pk for u in units.values()}
    hq = by_code[demo.HQ_CODE]

    def of_kind(pk, *kinds):
        return [k for k in kids.get(pk, []) if units[k].kind in kinds]

    counties = sorted((u.pk for u in units.values() if u.kind in (UnitKind.COUNTY, UnitKind.DEV_ZONE)),
                      key=lambda pk: units[pk].code)
    depts = sorted((u.pk for u in units.values() if u.kind == UnitKind.CITY_DEPT),
                   key=lambda pk: units[pk].code)
    stationed = sorted((u.pk for u in units.values() if u.kind == UnitKind.STATIONED),
                       key=lambda pk: units[pk].code)

    # Who leads the top-level tasks: 35% counties and districts, 52% departments, 13% stationed units.
    leads = []
    n_county, n_stat = round(top * 0.35), round(top * 0.13)
    leads += [counties[i % len(counties)] for i in range(n_county)]
    leads += [stationed[i % len(stationed)] for i in range(n_stat)]
    leads += [depts[i % len(depts)] for i in range(top - n_county - n_stat)]
    rng.shuffle(leads)

    # Decomposition above the shops: departments to their subordinate units or to every
    # county; counties to their streets/towns; streets to their communities/villages.
    roots: list[Node] = []
    community_nodes: list[Node] = []
    total = 0

    def decompose(node: Node):
        nonlocal total
        unit = units[node.lead]
        targets = []
        r = rng.random()
        if unit.kind == UnitKind.CITY_DEPT:
            subs = of_kind(node.lead, UnitKind.SUBORDINATE)
            if r < 0.4:
                targets = counties
            elif r < 0.7 and subs:
                targets = subs
        elif unit.kind in (UnitKind.COUNTY, UnitKind.DEV_ZONE) and r < 0.9:
            targets = of_kind(node.lead, UnitKind.STREET)
        elif unit.kind == UnitKind.STREET and r < 0.8:
            targets = of_kind(node.lead, UnitKind.COMMUNITY)
        elif unit.kind == UnitKind.COMMUNITY and of_kind(node.lead, UnitKind.SHOP):
            community_nodes.append(node)
        for t in targets:
            child = Node(node, node.lead, t)
            node.children.append(child)
            total += 1
            decompose(child)

    for lead in leads:
        root = Node(None, hq, lead)
        roots.append(root)
        total += 1
        decompose(root)

    # Communities pass a task to every shop under them ("门前三包" to each shop) with the
    # probability that lands near the target; random leaves then go to hit it exactly.
    shops_of = {n.lead: of_kind(n.lead, UnitKind.SHOP) for n in community_nodes}
    potential = sum(len(shops_of[n.lead]) for n in community_nodes)
    q = min(1.0, max(0.0, (target - total) * 1.02 / potential)) if potential else 0.0
    for node in community_nodes:
        if rng.random() < q:
            for s in shops_of[node.lead]:
                node.children.append(Node(node, node.lead, s))
                total += 1
    excess = total - target
    while excess > 0:
        leaves = [n for n in _preorder(roots) if not n.children and n.parent is not None]
        rng.shuffle(leaves)
        for n in leaves[:excess]:
            n.parent.children.remove(n)
        excess -= min(excess, len(leaves))
        if not leaves:
            break

    # Ids in preorder (parents first), codes by the rule: <year>-NNN, then parent's code + "-NN".
    base = (Task.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    nodes = []
    # After the demo plan's top-level codes (<year>-NNN are numbered across the year's plans).
    prefix = f"{today.year}-"
    taken = [int(c[len(prefix):]) for c in Task.objects.filter(code__startswith=prefix, parent__isnull=True)
             .values_list("code", flat=True) if c[len(prefix):].isdigit()]
    for i, root in enumerate(roots, start=max(taken, default=0) + 1):
        root.code = f"{prefix}{i:03d}"
    for node in _preorder(roots):
        node.id = base + len(nodes)
        nodes.append(node)
        for j, child in enumerate(node.children, start=1):
            child.code = f"{node.code}-{j:02d}"
    for node in nodes:
        _deadline(node, rng, today)
    for node in reversed(nodes):
        _status(node, rng, today)

    heads = dict(Post.objects.current().filter(is_head=True).values_list("unit_id", "person_id"))
    names = dict(User.objects.values_list("id", "full_name"))
    link = {}
    for unit_id, person_id in (Linkage.objects.current().filter(level__in=[1, 2])
                               .order_by("-level").values_list("unit_id", "person_id")):
        link[unit_id] = person_id  # level 1 wins over level 2 (set last)

    def leader_of(pk):
        while pk is not None:
            if pk in link:
                return link[pk]
            pk = units[pk].parent_id
        return None

    group_of = {}
    members = WorkGroupMember.objects.order_by("-is_lead_unit").values_list("unit_id", "group_id")
    for unit_id, group_id in members:
        group_of.setdefault(unit_id, group_id)
    for n in nodes:  # a subtask stays in its parent's working group
        n.group = group_of.get(n.lead) if n.parent is None else n.parent.group
    hq_head = heads[hq]
    plan = Plan.objects.create(year=today.year, title=f"{today.year}年全国文明城市创建工作方案(压力测试)",
                               doc_number=f"创文指〔{today.year}〕1号", issuing_unit_id=hq,
                               created_by_id=hq_head)
    cooperators = depts + counties

    def to_task(n: Node) -> Task:
        lead_head = heads.get(n.lead)
        leader = leader_of(n.lead)
        # Created 70-100 days before the deadline: everything before today, even for deadlines 60 days out.
        created = _at(n.deadline - timedelta(days=rng.randint(70, 100)), rng)
        t = Task(id=n.id, code=n.code, plan=plan, parent_id=n.parent.id if n.parent else None,
                 work_group_id=n.group,
                 title=f"{TITLES[n.id % len(TITLES)]}({n.code})", content="按照测评体系要求,抓好落实。",
                 standard="《全国文明城市测评体系》相关条目", deadline=n.deadline,
                 original_deadline=n.deadline,
                 issuing_unit_id=n.issuing, lead_unit_id=n.lead, responsible_person_id=lead_head,
                 responsible_name=names.get(lead_head, ""), linked_leader_id=leader,
                 linked_leader_name=names.get(leader, ""), criteria="按期完成得满分,逾期扣分。", points=5,
                 status=n.status, created_by_id=heads.get(n.issuing), created_at=created)
        if rng.random() < 0.05 and n.status != S.DRAFT:
            # An approved extension moved the deadline.
            t.original_deadline = n.deadline - timedelta(days=rng.choice((7, 10, 14)))
        if n.status != S.DRAFT:
            t.issued_at = created + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 6))
        if n.status in (S.SIGNED, S.IN_PROGRESS, S.HANDED_IN, S.ACCEPTED) or n.children:
            t.signed_at = t.issued_at + timedelta(hours=rng.randint(2, 60))
        if n.status in (S.HANDED_IN, S.ACCEPTED):
            t.handed_in_at = min(_at(n.deadline - timedelta(days=rng.randint(-5, 10)), rng),
                                 _now() - timedelta(days=3))
            t.handed_in_at = max(t.handed_in_at, t.signed_at + timedelta(days=1))
        if n.status == S.ACCEPTED:
            t.accepted_at = t.handed_in_at + timedelta(days=rng.randint(1, 2))
        t.progress = {S.IN_PROGRESS: rng.randint(10, 90), S.HANDED_IN: 100, S.ACCEPTED: 100}.get(n.status, 0)
        return t

    # Tasks first (parents before children), then the rows hanging off them, chunk by chunk.
    for start in range(0, len(nodes), BATCH):
        chunk = nodes[start:start + BATCH]
        tasks = [to_task(n) for n in chunk]
        Task.objects.bulk_create(tasks, batch_size=BATCH)
        coop = []
        for n, t in zip(chunk, tasks, strict=True):
            if (n.parent is None and rng.random() < 0.25) or (units[n.lead].kind == UnitKind.STREET
                                                               and rng.random() < 0.05):
                pool = cooperators if n.parent is None else kids.get(units[n.lead].parent_id, [])
                for u in rng.sample(pool, min(len(pool), rng.randint(1, 3))):
                    if u != n.lead:
                        coop.append(Task.cooperating_units.through(task_id=t.id, unit_id=u))
        Task.cooperating_units.through.objects.bulk_create(coop, batch_size=BATCH)
        _satellites(chunk, tasks, rng, today, heads, names)
    _reset_sequences()
    return len(nodes)


def _preorder(roots):
    stack = list(reversed(roots))
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


TITLES = (
    "背街小巷环境卫生整治", "农贸市场规范化管理", "公益广告刊播", "交通秩序专项整治", "门前三包责任落实",
    "志愿服务站点建设", "未成年人思想道德建设阵地", "文明餐桌行动", "公共厕所提档升级", "占道经营治理",
    "小区物业管理规范", "窗口单位文明服务", "道德讲堂常态化", "垃圾分类示范推广", "建筑工地围挡规范",
    "非机动车停放秩序", "新时代文明实践站", "无障碍设施改造", "社区文化活动开展", "诚信经营示范街",
)

# A leaf task's status by how its deadline stands: long past, mostly finished (the rest red);
# around today, half under way; far ahead, mostly just issued or under way.
LEAF_STATUSES = {
    "past": ((S.ISSUED, 3), (S.SIGNED, 5), (S.IN_PROGRESS, 17), (S.HANDED_IN, 8), (S.ACCEPTED, 62),
             (S.CANCELLED, 5)),
    "near": ((S.DRAFT, 2), (S.ISSUED, 8), (S.SIGNED, 12), (S.IN_PROGRESS, 40), (S.HANDED_IN, 15),
             (S.ACCEPTED, 20), (S.CANCELLED, 3)),
    "ahead": ((S.DRAFT, 7), (S.ISSUED, 22), (S.SIGNED, 20), (S.IN_PROGRESS, 40), (S.HANDED_IN, 3),
              (S.ACCEPTED, 5), (S.CANCELLED, 3)),
}


def _pick(rng, table):
    return rng.choices([s for s, _ in table], weights=[w for _, w in table])[0]


def _deadline(n: Node, rng, today: date) -> None:
    """±60 days around today; a subtask's no later than its parent's (parents first)."""
    if n.parent is None:
        n.deadline = today + timedelta(days=rng.randint(-45, 60))
    else:
        n.deadline = max(today - timedelta(days=60), n.parent.deadline - timedelta(days=rng.randint(0, 12)))


def _status(n: Node, rng, today: date) -> None:
    """Leaves drawn from LEAF_STATUSES by deadline; a decomposed task (children first) is handed in or
    accepted once all its subtasks are done, cancelled with all of them, else under way."""
    if not n.children:
        days = (n.deadline - today).days
        n.status = _pick(rng, LEAF_STATUSES["past" if days < -7 else "near" if days <= 14 else "ahead"])
        return
    done = {c.status for c in n.children}
    if done == {S.CANCELLED}:
        n.status = S.CANCELLED
    elif done <= {S.ACCEPTED, S.CANCELLED}:
        n.status = S.ACCEPTED if rng.random() < 0.6 else S.HANDED_IN
    else:
        n.status = S.IN_PROGRESS if rng.random() < 0.93 else S.SIGNED


def _at(day: date, rng) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(rng.randint(8, 17), rng.randint(0, 59))))


def _now():
    return timezone.now()


def _satellites(chunk, tasks, rng, today, heads, names) -> None:
    """Milestones (~20% of tasks), 1-3 progress updates per task under way, 3-6 timeline events
    per task, handovers for tasks handed in or accepted, a few extension requests."""
    milestones, updates, events, handovers, extensions = [], [], [], [], []
    now = _now()
    for n, t in zip(chunk, tasks, strict=True):
        actor = heads.get(n.lead)
        issuer = heads.get(n.issuing)
        if rng.random() < 0.2 and t.status != S.DRAFT:
            span = max(1, (t.deadline - t.created_at.date()).days)
            for k in range(rng.randint(1, 3)):
                due = t.created_at.date() + timedelta(days=span * (k + 1) // 4)
                done = due < today and (t.status in (S.HANDED_IN, S.ACCEPTED) or rng.random() < 0.7)
                milestones.append(Milestone(task_id=t.id, title=f"第{NUMERALS[k]}阶段", due=due,
                                            done_at=_at(due, rng) if done else None,
                                            done_by_id=actor if done else None))
        ev = [(TaskEventKind.CREATE, issuer, t.created_at, "", S.DRAFT)]
        if t.issued_at:
            ev.append((TaskEventKind.ISSUE, issuer, t.issued_at, S.DRAFT, S.ISSUED))
        if t.signed_at:
            ev.append((TaskEventKind.SIGN_FOR, actor, t.signed_at, S.ISSUED, S.SIGNED))
        reported = t.status in (S.IN_PROGRESS, S.HANDED_IN, S.ACCEPTED)
        if reported or (t.status == S.SIGNED and rng.random() < 0.3):
            count = rng.randint(1, 3) if t.status != S.SIGNED else 1
            begin = t.signed_at
            end = min(t.handed_in_at or now, now)
            last = 0
            for k in range(count):
                at = begin + (end - begin) * (k + 1) / (count + 1)
                last = t.progress if k == count - 1 and t.progress else min(95, last + rng.randint(10, 40))
                updates.append(ProgressUpdate(task_id=t.id, percent=last,
                                              text="按计划推进,已完成阶段性工作。",
                                              problems="个别点位整改不到位。" if rng.random() < 0.3 else "",
                                              next_steps="持续巡查,巩固成效。",
                                              reported_by_id=actor or issuer, reported_at=at))
                if len(ev) < 5:
                    ev.append((TaskEventKind.PROGRESS, actor, at, "", ""))
                t.last_update_at = at
            if t.status != S.SIGNED:
                ev.append((TaskEventKind.START, actor, begin + timedelta(hours=1), S.SIGNED, S.IN_PROGRESS))
        if n.children:
            ev.append((TaskEventKind.DECOMPOSE, actor, t.signed_at + timedelta(days=1), "", ""))
        if t.handed_in_at:
            ev.append((TaskEventKind.HAND_IN, actor, t.handed_in_at, S.IN_PROGRESS, S.HANDED_IN))
            accepted = t.status == S.ACCEPTED
            handovers.append(Handover(
                task_id=t.id, from_unit_id=n.lead, to_unit_id=n.issuing, from_person_id=actor or issuer,
                from_name=names.get(actor or issuer, ""), to_person_id=issuer, to_name=names.get(issuer, ""),
                summary="任务已按要求完成,附整改前后对比照片。", submitted_at=t.handed_in_at,
                status=HandoverStatus.ACCEPTED if accepted else HandoverStatus.SUBMITTED,
                decided_by_id=issuer if accepted else None, decided_at=t.accepted_at,
                decision_note="同意验收。" if accepted else ""))
        if t.accepted_at:
            ev.append((TaskEventKind.ACCEPT, issuer, t.accepted_at, S.HANDED_IN, S.ACCEPTED))
        if t.status == S.CANCELLED:
            cancelled_at = (t.issued_at or t.created_at) + timedelta(days=5)
            ev.append((TaskEventKind.CANCEL, issuer, cancelled_at, "", S.CANCELLED))
        while len(ev) < 3:
            ev.append((TaskEventKind.UPDATE, issuer, t.created_at + timedelta(hours=len(ev)), "", ""))
        if len(ev) < 6 and t.status in OPEN_STATUSES and t.deadline < today:
            ev.append((TaskEventKind.COLOUR, None, _at(t.deadline + timedelta(days=1), rng), "", ""))
        for kind, who, at, from_s, to_s in ev[:6]:
            events.append(TaskEvent(task_id=t.id, kind=kind, actor_id=who, actor_name=names.get(who, "系统"),
                                    at=at, from_status=from_s, to_status=to_s))
        if t.status in OPEN_STATUSES and n.parent is not None and rng.random() < 0.03:
            extensions.append(Extension(task_id=t.id, reason="涉及拆迁协调,需延长时限。",
                                        old_deadline=t.deadline,
                                        new_deadline=t.deadline + timedelta(days=14),
                                        requested_by_id=actor or issuer,
                                        requested_at=now - timedelta(days=rng.randint(0, 5))))
    for rows in (milestones, updates, events, handovers, extensions):
        if rows:
            type(rows[0]).objects.bulk_create(rows, batch_size=BATCH)
    # progress and last_update_at were set while making the rows above.
    Task.objects.bulk_update([t for t in tasks if t.last_update_at], ["last_update_at"], batch_size=BATCH)


def _reset_sequences() -> None:
    """Tasks were inserted with their ids: tell PostgreSQL's sequence (SQLite needs nothing)."""
    from django.core.management.color import no_style

    sql = connection.ops.sequence_reset_sql(no_style(), [Task])
    with connection.cursor() as cur:
        for statement in sql:
            cur.execute(statement)


# --- timing --------------------------------------------------------------------------------------


def get(client: Client, url: str):
    def fn():
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.get("Location"))
        return r
    return fn


def p95(samples: list[float]) -> float:
    """Nearest rank: the smallest sample at or above 95% of them."""
    ordered = sorted(samples)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def board_sql(user) -> list[str]:
    """The SQL selectors.board() issues for `user` (default view: every colour, first page), as
    the database ran it (parameters inlined), so it can run bare, without the ORM."""
    with CaptureQueriesContext(connection) as ctx:
        selectors.board(User.objects.get(pk=user.pk))
    return [q["sql"] for q in ctx.captured_queries]


def page_queries(statements: list[str]) -> list[str]:
    """The board's page queries: its task queries after the colour counts (the page's ids, then
    its rows with their joins and colour)."""
    tail = []
    for q in reversed(statements):
        if "tasks_task" not in q or q.lstrip().upper().startswith("SELECT COUNT"):
            break
        tail.append(q)
    return tail[::-1]


def run_sql(statements: list[str]):
    def fn():
        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql, None)  # None: the text is final, "%" in a LIKE pattern is no placeholder
                cur.fetchall()
    return fn


def explain(sql: str) -> str:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, None)
        else:
            cur.execute("EXPLAIN QUERY PLAN " + sql, None)
        return "\n".join("      " + " ".join(str(c) for c in row) for row in cur.fetchall())


def timed(fn, n: int) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU milliseconds per call."""
    wall, cpu = [], []
    for _ in range(n):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def main() -> None:
    a = args
    t0 = time.perf_counter()
    how = build(a)
    db = connection.settings_dict
    where = (f"PostgreSQL {connection.cursor().connection.info.server_version} {db['NAME']}"
             if connection.vendor == "postgresql" else f"SQLite {db['NAME']}")
    print(f"database: {where}")
    print(f"data: {Unit.objects.count()} units, {User.objects.count()} people, {Task.objects.count()} tasks, "
          f"{Milestone.objects.count()} milestones, {ProgressUpdate.objects.count()} updates, "
          f"{TaskEvent.objects.count()} events, {Handover.objects.count()} handovers, "
          f"{Extension.objects.count()} extensions ({how}, setup {time.perf_counter() - t0:.1f} s)")
    if a.build_only:
        return
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing one
    hq = User.objects.get(username="hq_director")
    head = User.objects.get(username="district_head")
    district = Post.objects.current().get(person=head, is_head=True).unit
    subtree = Task.objects.filter(lead_unit__path__startswith=district.path)
    th = selectors.current_thresholds()
    print(f"district head: {head.username}, head of {district.name} ({district.code}); tasks led in its "
          f"subtree {subtree.count()} ({subtree.filter(status__in=OPEN_STATUSES).count()} open), led by it "
          f"{Task.objects.filter(lead_unit=district).count()}; today {th.today}, red if due on or before "
          f"{th.red_on_or_before}, blue if due by {th.blue_until}")
    print(f"{load()} before timing")

    head_sql, hq_sql = board_sql(head), board_sql(hq)
    cases = [  # (label, persona, kind, subject, counts against the target)
        ("/healthz", "anonymous", "url", (None, "/healthz"), False),
        ("/tasks/board/", "district head", "url", (head, "/tasks/board/"), True),
        ("/tasks/board/?colour=red", "district head", "url", (head, "/tasks/board/?colour=red"), True),
        ("/tasks/", "district head", "url", (head, "/tasks/"), True),
        ("/tasks/board/", "HQ staff", "url", (hq, "/tasks/board/"), True),
        ("/tasks/board/?colour=red", "HQ staff", "url", (hq, "/tasks/board/?colour=red"), True),
        ("/tasks/", "HQ staff", "url", (hq, "/tasks/"), True),
        (f"board: page, {len(page_queries(head_sql))} q, bare SQL", "district head", "sql",
         page_queries(head_sql), False),
        (f"board: its {len(head_sql)} queries, bare SQL", "district head", "sql", head_sql, False),
        ("board: selectors.board()", "district head", "selector", head, False),
        (f"board: page, {len(page_queries(hq_sql))} q, bare SQL", "HQ staff", "sql", page_queries(hq_sql), False),
        (f"board: its {len(hq_sql)} queries, bare SQL", "HQ staff", "sql", hq_sql, False),
        ("board: selectors.board()", "HQ staff", "selector", hq, False),
    ]
    clients = {}
    ref = None
    print(f"\n{'path':31s} {'persona':14s} {'queries':>7s} {'mean':>7s} {'median':>7s} {'p95':>7s} "
          f"{'cpu med':>7s} {'× ref':>7s}  target: median under {TARGET_MS:.0f} ms")
    report = []
    for label, persona, kind, subject, target in cases:
        if kind == "url":
            user, url = subject
            client = clients.get(user)
            if client is None:
                client = clients[user] = Client()
                if user is not None:
                    client.force_login(user)
            fn = get(client, url)
        elif kind == "sql":
            fn = run_sql(subject)
        else:
            def fn(user=subject):
                return selectors.board(User.objects.get(pk=user.pk))
        timed(fn, 3)  # warm up
        wall, cpu = timed(fn, a.n)
        with CaptureQueriesContext(connection) as ctx:
            fn()
        queries = len(ctx.captured_queries)
        median = statistics.median(wall)
        ref = ref or median
        verdict = ""
        if target:
            verdict = "ok" if median < TARGET_MS else f"MISSED by {median - TARGET_MS:.1f} ms"
        print(f"{label:31s} {persona:14s} {queries:7d} {statistics.mean(wall):7.1f} {median:7.1f} "
              f"{p95(wall):7.1f} {statistics.median(cpu):7.1f} {median / ref:7.0f}  {verdict}")
        report.append((label, persona, kind, ctx.captured_queries))
    print(f"\n{load()} after timing.  ms per request: wall clock, in-process (test client, no server); "
          f"cpu med: this process's CPU time (on PostgreSQL the server's work is not in it); "
          f"× ref: median over the /healthz median.")
    if a.explain:
        print("\nqueries per case (time as Django's debug cursor records it):")
        for label, persona, kind, captured in report:
            if kind == "sql" or label == "/healthz":
                continue
            total = sum(float(q["time"]) for q in captured) * 1000
            print(f"\n  {label} ({persona}): {len(captured)} queries, {total:.1f} ms in SQL")
            slowest = sorted(captured, key=lambda q: -float(q["time"]))[:3]
            for q in slowest:
                print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
            if slowest and slowest[0]["sql"].lstrip().upper().startswith("SELECT"):
                print("    plan of the slowest:")
                print(explain(slowest[0]["sql"]))


if __name__ == "__main__":
    main()
