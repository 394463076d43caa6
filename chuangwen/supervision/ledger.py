"""督办台账: how many instructions, meetings and visits there were, by year and type, and how far
each was followed through (tasks accepted of total, problems closed of total) — counted from
the records through the scope selectors, the figures a status report quotes ("先后N次召开专题
会议…").  The page, the API and reports call `ledger`; `phrases` is plain Python."""

from dataclasses import asdict, dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone

from chuangwen.problems.models import ProblemStatus
from chuangwen.tasks.models import TaskStatus

from . import selectors
from .models import ItemStatus, MeetingKind, SourceTask, VisitKind

INSTRUCTION = "instruction"
GROUPS = (("instruction", "领导批示"), ("meeting", "会议议定"), ("visit", "人大政协视察"))
# Every line of the ledger, in order: (key, group, label).
SOURCES = (
    (INSTRUCTION, "instruction", "领导批示"),
    *((f"meeting:{k}", "meeting", label) for k, label in MeetingKind.choices),
    *((f"visit:{k}", "visit", label) for k, label in VisitKind.choices),
)
_ORDER = {key: n for n, (key, _, _) in enumerate(SOURCES)}
_GROUP_OF = {key: group for key, group, _ in SOURCES}
_LABEL = {key: label for key, _, label in SOURCES}


@dataclass
class Line:
    """One source (or group) in one year (None: all years).

    items: instructions / meetings / visits; entries: what is followed to closure (instructions,
    decisions, findings) and entries_closed of them (办结, or the finding's problem 销号);
    tasks / tasks_accepted: live tasks split from them (cancelled ones left out);
    problems / problems_closed: the findings' problems."""

    key: str
    label: str
    year: int | None = None
    items: int = 0
    entries: int = 0
    entries_closed: int = 0
    tasks: int = 0
    tasks_accepted: int = 0
    problems: int = 0
    problems_closed: int = 0

    COUNTERS = ("items", "entries", "entries_closed", "tasks", "tasks_accepted", "problems",
                "problems_closed")

    def add(self, other: "Line") -> None:
        for name in self.COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return asdict(self)


def _by_year(qs, year_field: str, kind_field: str | None = None, **counts):
    fields = {"y": ExtractYear(year_field)}
    if kind_field:
        fields["k"] = F(kind_field)
    return qs.annotate(**fields).values(*fields).annotate(**counts).order_by()


def _lines(user) -> dict[tuple[str, int], Line]:
    lines: dict[tuple[str, int], Line] = {}

    def line(key: str, year: int) -> Line:
        if (key, year) not in lines:
            lines[key, year] = Line(key=key, label=_LABEL[key], year=year)
        return lines[key, year]

    closed = Q(status=ItemStatus.CLOSED)
    task_scope = Q() if selectors.sees_all(user) else Q(task__in=selectors.visible_tasks(user))
    live_links = SourceTask.objects.filter(task_scope).exclude(task__status=TaskStatus.CANCELLED)
    task_counts = {"total": Count("id"), "accepted": Count("id", filter=Q(task__status=TaskStatus.ACCEPTED))}

    instructions = selectors.instructions_visible_to(user)
    for row in _by_year(instructions, "date", n=Count("id"), closed=Count("id", filter=closed)):
        ln = line(INSTRUCTION, row["y"])
        ln.items, ln.entries, ln.entries_closed = row["n"], row["n"], row["closed"]
    for row in _by_year(live_links.filter(instruction__in=instructions), "instruction__date", **task_counts):
        ln = line(INSTRUCTION, row["y"])
        ln.tasks, ln.tasks_accepted = row["total"], row["accepted"]

    for row in _by_year(selectors.meetings_visible_to(user), "date", "kind", n=Count("id")):
        line(f"meeting:{row['k']}", row["y"]).items = row["n"]
    decisions = selectors.decisions_visible_to(user)
    for row in _by_year(decisions, "meeting__date", "meeting__kind", n=Count("id"),
                        closed=Count("id", filter=closed)):
        ln = line(f"meeting:{row['k']}", row["y"])
        ln.entries, ln.entries_closed = row["n"], row["closed"]
    for row in _by_year(live_links.filter(decision__in=decisions), "decision__meeting__date",
                        "decision__meeting__kind", **task_counts):
        ln = line(f"meeting:{row['k']}", row["y"])
        ln.tasks, ln.tasks_accepted = row["total"], row["accepted"]

    for row in _by_year(selectors.visits_visible_to(user), "date", "kind", n=Count("id")):
        line(f"visit:{row['k']}", row["y"]).items = row["n"]
    fixed = Q(problem__status=ProblemStatus.CLOSED)
    for row in _by_year(selectors.findings_visible_to(user), "visit__date", "visit__kind", n=Count("id"),
                        closed=Count("id", filter=fixed)):
        ln = line(f"visit:{row['k']}", row["y"])
        ln.entries, ln.entries_closed = row["n"], row["closed"]
        ln.problems, ln.problems_closed = row["n"], row["closed"]
    return lines


def ledger(user, *, year: int | None = None) -> dict:
    """The ledger `user` may see: `lines` per source and year (newest year first), `by_source`
    and `totals` (per group) for `year` (None: all years), the `years` on record, and the
    `phrases` a status report quotes.  Seven grouped queries, whatever the number of records."""
    lines = _lines(user)
    years = sorted({y for _, y in lines}, reverse=True)
    chosen = [ln for (_, y), ln in lines.items() if year is None or y == year]
    by_source = {key: Line(key=key, label=label, year=year) for key, _, label in SOURCES}
    for ln in chosen:
        by_source[ln.key].add(ln)
    totals = {group: Line(key=group, label=label, year=year) for group, label in GROUPS}
    for key, ln in by_source.items():
        totals[_GROUP_OF[key]].add(ln)
    return {
        "year": year,
        "years": years,
        "lines": sorted(lines.values(), key=lambda ln: (-ln.year, _ORDER[ln.key])),
        "by_source": list(by_source.values()),
        "totals": totals,
        "phrases": phrases(by_source, year=year, this_year=timezone.localdate().year),
    }


def _since(year: int | None, this_year: int) -> str:
    if year is None:
        return "累计"
    return "今年以来" if year == this_year else f"{year}年"


def phrases(by_source: dict[str, Line], *, year: int | None, this_year: int) -> list[str]:
    """Sentences for a status report, from the ledger's figures (only the sources with records)."""
    since = _since(year, this_year)
    out = []
    ins = by_source[INSTRUCTION]
    if ins.items:
        out.append(f"{since},市领导先后作出批示{ins.items}次,分解督办任务{ins.tasks}项,"
                   f"已验收{ins.tasks_accepted}项,批示事项已办结{ins.entries_closed}件。")
    topic, onsite = by_source["meeting:topic"], by_source["meeting:onsite"]
    if topic.items or onsite.items:
        decided = topic.entries + onsite.entries
        out.append(f"{since},先后{topic.items + onsite.items}次召开专题会议和现场办公会议,研究解决议定事项{decided}项,"
                   f"已办结{topic.entries_closed + onsite.entries_closed}项。")
    standing = by_source["meeting:standing"]
    if standing.items:
        out.append(f"{since},先后{standing.items}次召开常委会研究部署创建工作,议定事项{standing.entries}项。")
    dispatch = by_source["meeting:dispatch"]
    if dispatch.items:
        out.append(f"{since},召开调度会{dispatch.items}次,议定事项{dispatch.entries}项。")
    visits = [by_source[f"visit:{k}"] for k in VisitKind.values]
    n_visits = sum(v.items for v in visits)
    if n_visits:
        found = sum(v.problems for v in visits)
        fixed = sum(v.problems_closed for v in visits)
        out.append(f"{since},市人大、市政协先后{n_visits}次组织人大代表、政协委员实地视察,"
                   f"发现问题{found}个,已整改销号{fixed}个。")
    return out
