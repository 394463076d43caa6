"""Plays the demo problems' steps through the services, in story order, by the people who would
take them; then moves the timestamps the services wrote to the story's moments (see the package
docstring)."""

from bisect import bisect_right
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from chuangwen.accounts.models import User
from chuangwen.attachments.models import Attachment
from chuangwen.org.models import Post
from chuangwen.org.selectors import current_head

from .. import services
from ..deadlines import deadline_after
from ..models import (
    Category,
    ExtensionStatus,
    Problem,
    ProblemEvent,
    ProblemEventKind,
    ProblemExtension,
    Source,
)
from ..services.loop import deadline_for
from ..services.public import problem_report_citizen
from ..services.report import PHOTO_AFTER, PHOTO_BEFORE
from .cases import CLERK, DEPUTY, DIRECTOR, INSPECTOR, REPORTERS, Case, Step
from .photos import Photos

# Timestamps the services write, by model: each is moved to the moment of the step that wrote it.
STAMPED = (
    (Problem, ("reported_at", "assigned_at", "submitted_at", "closed_at")),
    (ProblemEvent, ("at",)),
    (ProblemExtension, ("requested_at", "decided_at")),
)
SHOWN = "%Y-%m-%d %H:%M"  # how the extension services quote a deadline in notes and notices
# Notifications older than this are shown as read.
READ_AFTER = timedelta(days=7)


class Player:
    """Performs the steps as the people of the story (see the package docstring)."""

    def __init__(self, *, units: dict, cal, real_today):
        self.units, self.cal, self.real_today = units, cal, real_today
        self.by_pk = {u.pk: u for u in units.values()}
        self.cases: list[Case] = []
        self.categories = {c.code: c for c in Category.objects.all()}
        names = {CLERK, DEPUTY, DIRECTOR, INSPECTOR} | {u for u in REPORTERS.values() if u}
        self.people = {u.username: u for u in User.objects.filter(username__in=names)}
        self.photos = Photos()
        self._heads: dict[str, User] = {}
        self._liaisons: dict[str, User] = {}
        self.extension_days: dict[int, int] = {}  # extension pk -> working days asked for
        self.latest: dict[int, Problem | None] = {}  # case key -> the problem as last returned

    # --- people ------------------------------------------------------------------------------

    def head(self, code: str) -> User:
        if code not in self._heads:
            post = current_head(self.units[code], self.real_today)
            if post is None:
                raise RuntimeError(f"demo city: {code} has no head")
            self._heads[code] = post.person
        return self._heads[code]

    def liaison(self, code: str) -> User:
        """Who does a unit's daily work on problems: its liaison, or its head where it has none."""
        if code not in self._liaisons:
            post = (Post.objects.current(self.real_today).filter(unit__code=code, is_liaison=True)
                    .select_related("person").order_by("id").first())
            self._liaisons[code] = post.person if post else self.head(code)
        return self._liaisons[code]

    def unit_of(self, problem: Problem) -> str:
        return self.by_pk[problem.responsible_unit_id].code

    # --- playing -----------------------------------------------------------------------------

    def play(self, steps: list[Step], cases: list[Case]) -> list[tuple[datetime, datetime]]:
        """Run the steps in order; returns (real start, story moment) of each."""
        self.cases = cases
        marks = []
        for step in steps:
            marks.append((timezone.now(), step.at))
            result = getattr(self, f"do_{step.verb}")(step)
            # A service returns the problem as it left it (read under its lock): the next step
            # of the case starts from it instead of reading it again.
            self.latest[step.case.key] = result if isinstance(result, Problem) else None
        return marks

    def problem(self, step: Step) -> Problem:
        return self.latest.get(step.case.key) or Problem.objects.select_related(
            "category", "responsible_unit", "district").get(pk=step.case.problem_id)

    def do_report(self, step: Step) -> Problem:
        case, place = step.case, step.case.place
        fields = {"category": self.categories[case.category], "description": case.description}
        point = {"lng": place.point[0], "lat": place.point[1]} if place.point else {}
        if case.source == Source.CITIZEN:
            name, phone = case.contact
            problem = problem_report_citizen(**fields, photos=self.photos.citizen(case.key),
                                             district=self.units[place.district], address=place.address,
                                             name=name, phone=phone, **point)
        else:
            where = ({"site": place.site} if place.site is not None
                     else {"district": self.units[place.district], "address": place.address, **point})
            problem = services.problem_report(source=case.source, actor=self.people[case.reporter],
                                              severity=case.severity, **fields, **where)
        case.problem_id = problem.pk
        return problem

    def do_assign(self, step: Step) -> Problem:
        return services.problem_assign(problem=self.problem(step), actor=self.people[CLERK],
                                       unit=self.units[step.args["unit"]])

    def do_return(self, step: Step) -> Problem:
        return services.problem_return(problem=self.problem(step), actor=self.head(step.args["unit"]),
                                       reason=step.args["reason"])

    def do_accept(self, step: Step) -> Problem:
        problem = self.problem(step)
        return services.problem_accept(problem=problem, actor=self.liaison(self.unit_of(problem)))

    def do_submit(self, step: Step) -> Problem:
        problem, photo = self.problem(step), step.args["photo"]
        return services.problem_submit(problem=problem, actor=self.liaison(self.unit_of(problem)),
                                       note=step.args["note"],
                                       photos=() if photo is None else self.photos.rectified(photo))

    def do_pass(self, step: Step) -> Problem:
        return services.problem_recheck(problem=self.problem(step), actor=self.people[INSPECTOR],
                                        passed=True, note=step.args["note"])

    def do_fail(self, step: Step) -> Problem:
        return services.problem_recheck(problem=self.problem(step), actor=self.people[INSPECTOR],
                                        passed=False, note=step.args["note"])

    def do_extend(self, step: Step) -> ProblemExtension:
        problem = self.problem(step)
        ext = services.problem_extension_request(
            problem=problem, actor=self.head(self.unit_of(problem)), reason=step.args["reason"],
            new_deadline=problem.deadline + step.args["delta"])
        self.extension_days[ext.pk] = step.args["days"]
        return ext

    def do_decide_extension(self, step: Step) -> ProblemExtension:
        ext = ProblemExtension.objects.get(problem_id=step.case.problem_id, status=ExtensionStatus.PENDING)
        return services.problem_extension_decide(extension=ext, actor=self.people[DEPUTY],
                                                 approve=step.args["approve"], note=step.args["note"])

    def do_request_park(self, step: Step) -> Problem:
        problem = self.problem(step)
        return services.problem_request_park(problem=problem, actor=self.head(self.unit_of(problem)),
                                             reason=step.args["reason"])

    def do_decide_park(self, step: Step) -> Problem:
        return services.problem_decide_park(problem=self.problem(step), actor=self.people[DIRECTOR],
                                            approve=step.args["approve"], note=step.args["note"])

    def do_unpark(self, step: Step) -> Problem:
        return services.problem_unpark(problem=self.problem(step), actor=self.people[DIRECTOR],
                                       note=step.args["note"])

    def do_void(self, step: Step) -> Problem:
        return services.problem_void(problem=self.problem(step), actor=self.people[CLERK],
                                     reason=step.args["reason"])

    def do_merge(self, step: Step) -> Problem:
        target = self.cases[step.args["into"]]
        self.latest[target.key] = None  # the merge writes on the target too
        into = Problem.objects.get(pk=target.problem_id)
        return services.problem_merge(duplicate=self.problem(step), into=into, actor=self.people[CLERK])

    def do_reply(self, step: Step) -> Problem:
        return services.problem_reply(problem=self.problem(step), actor=self.people[CLERK],
                                      text=step.args["text"])

    # --- shaping the time --------------------------------------------------------------------

    def shape(self, marks: list[tuple[datetime, datetime]]) -> dict[str, tuple[datetime, str, str]]:
        """Demo data shaping (package docstring): every timestamp written while a step ran is
        moved to that step's moment; the deadlines are then worked out again from the moved
        assignment times with the time-limit table, as the assignment did, plus the extensions.
        Returns, for the notifications the services send after commit, their dedupe key ->
        (moment, text quoted as sent, text as shaped)."""
        starts = [real for real, _ in marks]
        first = starts[0]

        def moved(value):
            if value is None or value < first:
                return value
            return marks[bisect_right(starts, value) - 1][1]

        for model, fields in STAMPED:
            rows = list(model.objects.filter(_any_since(fields, first)).only("pk", *fields))
            for row in rows:
                for f in fields:
                    setattr(row, f, moved(getattr(row, f)))
            model.objects.bulk_update(rows, fields, batch_size=500)
        photos = list(Attachment.objects.filter(owner_kind__in=(PHOTO_BEFORE, PHOTO_AFTER),
                                                uploaded_at__gte=first))
        for a in photos:
            a.uploaded_at = moved(a.uploaded_at)
        Attachment.objects.bulk_update(photos, ["uploaded_at"], batch_size=500)
        return self._shape_deadlines()

    def _shape_deadlines(self) -> dict[str, tuple[datetime, str, str]]:
        quoted: dict[int, tuple[str, str]] = {}  # problem pk -> (deadline as quoted, as shaped)
        notices: dict[str, tuple[datetime, str, str]] = {}
        extensions = {e.problem_id: e for e in ProblemExtension.objects.all()}  # one per problem at most
        problems = list(Problem.objects.exclude(assigned_at=None).select_related("category"))
        for p in problems:
            original = deadline_for(p, p.assigned_at)
            ext = extensions.get(p.pk)
            extended = None
            if ext is not None:
                days = self.extension_days[ext.pk]
                extended = deadline_after(self.cal, timezone.localtime(original), days, "days")
                quoted[p.pk] = (_shown(ext.new_deadline), _shown(extended))
                ext.old_deadline, ext.new_deadline = original, extended
                ext.save(update_fields=["old_deadline", "new_deadline"])
                notices[f"problem-extension:{ext.pk}"] = (ext.requested_at, *quoted[p.pk])
                if ext.decided_at:
                    notices[f"problem-extension:{ext.pk}:decided"] = (ext.decided_at, *quoted[p.pk])
            p.original_deadline = original
            if p.deadline is not None:  # none once returned
                approved = ext is not None and ext.status == ExtensionStatus.APPROVED
                p.deadline = extended if approved else original
        Problem.objects.bulk_update(problems, ["deadline", "original_deadline"], batch_size=500)
        kinds = (ProblemEventKind.EXTENSION_REQUEST, ProblemEventKind.EXTENSION_DECIDE)
        events = list(ProblemEvent.objects.filter(kind__in=kinds))
        for e in events:
            sent, shaped = quoted[e.problem_id]
            e.note = e.note.replace(sent, shaped)
        ProblemEvent.objects.bulk_update(events, ["note"], batch_size=500)
        merges = ProblemEvent.objects.filter(kind=ProblemEventKind.VOID, problem__merged_into__isnull=False)
        for pk, at in merges.values_list("problem_id", "at"):
            notices[f"problem.merged:{pk}"] = (at, "", "")
        return notices


def _any_since(fields, moment) -> Q:
    q = Q()
    for f in fields:
        q |= Q(**{f"{f}__gte": moment})
    return q


def _shown(moment: datetime) -> str:
    return f"{timezone.localtime(moment):{SHOWN}}"


def retime_notifications(notices: dict[str, tuple[datetime, str, str]]) -> None:
    """After commit, once the services' notifications exist: date them like the steps that sent
    them, quote the shaped deadlines, and mark the older ones read."""
    from chuangwen.notifications.models import Notification

    rows = list(Notification.objects.filter(dedupe_key__in=list(notices)))
    read_before = timezone.now() - READ_AFTER
    for row in rows:
        when, sent, shaped = notices[row.dedupe_key]
        row.created_at = when
        if sent:
            row.body = row.body.replace(sent, shaped)
        if when < read_before:
            row.read_at = when + timedelta(hours=2)
    Notification.objects.bulk_update(rows, ["created_at", "body", "read_at"], batch_size=500)
