"""The demo problems' stories: what happened to each case (cases.py) when.

Pure planning (no writes): `Teller.tell()` returns the steps of every case in story time; the
player (player.py) performs them through the services.  Each case's life is drawn from its own
seeded generator, so the same present and calendar always tell the same story.  A case's life is
planned to its end and cut at the present: what would happen later has not happened yet, which
is what leaves a realistic backlog (on the desk, waiting to be accepted, being rectified,
waiting for the recheck, overdue).  A few "showcase" cases are placed so that the cut finds them
in the states that would otherwise be rare (returned, 申请挂账, a pending extension...).
"""

import random
from datetime import datetime, time, timedelta

from ..deadlines import deadline_after, working_hours_between
from . import texts
from .cases import BAD, GOOD, ORDINARY, PARKABLE, SEED, Case, Casting, Step, pick, profile_of


class Teller(Casting):
    """Tells the whole story: the ordinary cases, some rebounds and duplicates, the showcases."""

    def __init__(self, *, limits: dict, groups: dict, **kwargs):
        super().__init__(**kwargs)
        self.limits = limits  # (category code, severity) -> (amount, unit)
        self.groups = groups  # category code -> 大类

    # --- working time ------------------------------------------------------------------------

    def w(self, moment: datetime, hours: float) -> datetime:
        return self.cal.add_working_hours(moment, max(hours, 0.05))

    def hours(self, start: datetime, end: datetime) -> float:
        return working_hours_between(self.cal, start, end)

    def deadline(self, case: Case, start: datetime) -> datetime:
        return deadline_after(self.cal, start, *self.limits[(case.category, case.severity)])

    # --- one case's life ---------------------------------------------------------------------

    def life(self, case: Case, reported: datetime, force: dict | None = None) -> list[Step]:
        """Every step of `case` reported at `reported`, to its end (not yet cut at the present).
        `force` fixes fates that would otherwise be drawn (void, returned, park, extend,
        extend_approve, neglect, on_time, fails)."""
        life = Life(self, case, force or {})
        life.add(reported, "report", "reported")
        assigned = life.dispatch(reported)
        if assigned is None:
            return life.steps
        at, due = life.accept(assigned)
        at = life.park(at)
        if at is None:
            return life.steps
        at, due = life.extend(at, due, allowed=self.hours(assigned, due))
        # A unit that lets cases lie does so with recent ones; older ones it finished, late.
        recent = reported >= self.cut - timedelta(days=25)
        if not life.fate("neglect", life.profile.neglect if recent else 0):
            life.rectify(at, due, old=reported < self.cut - timedelta(days=40))
        return life.steps

    def cut_at_present(self, steps: list[Step]) -> list[Step]:
        return [s for s in steps if s.at < self.cut]

    # --- the whole story -----------------------------------------------------------------------

    def tell(self) -> list[Step]:
        rng = self.rng
        lives: list[list[Step]] = []
        for _ in range(ORDINARY):
            case = self.new_case(rng)
            lives.append(self.cut_at_present(self.life(case, self.report_moment(rng, case.source))))
        lives += self.rebounds(lives) + self.duplicates(lives) + self.showcases()
        return sorted((s for life in lives for s in life), key=lambda s: (s.at, s.case.key))

    def rebounds(self, lives) -> list[list[Step]]:
        """The same problem at the same site again, some days after it was closed (反弹)."""
        out = []
        closed = [life for life in lives if life[-1].state == "closed" and life[0].case.place.site is not None
                  and life[-1].at < self.cut - timedelta(days=12)]
        for life in self.rng.sample(closed, min(8, len(closed))):
            first = life[0].case
            day = min(life[-1].at.date() + timedelta(days=self.rng.randint(5, 30)),
                      self.today - timedelta(days=5))
            while not self.cal.is_workday(day):
                day -= timedelta(days=1)
            reported = datetime.combine(day, time(10, 20), self.tz)
            if reported > life[-1].at:
                case = self.new_case(self.rng, source="inspection", place=first.place,
                                     category=first.category)
                out.append(self.cut_at_present(self.life(case, reported)))
        return out

    def duplicates(self, lives) -> list[list[Step]]:
        """A second report of a problem being rectified, merged into the first by HQ."""
        out = []
        open_ = [life for life in lives if life[0].case.place.site is not None and len(life) > 3
                 and life[1].verb == "assign"]
        for life in self.rng.sample(open_, min(4, len(open_))):
            first = life[0].case
            reported = self.w(life[1].at, self.rng.uniform(1, 4))
            if reported >= self.cut or (life[-1].state == "closed" and reported >= life[-1].at):
                continue
            case = self.new_case(self.rng, source="hotline", place=first.place, category=first.category)
            case.merge_into = first.key
            out.append(self.cut_at_present(self.life(case, reported)))
        return out

    def showcases(self) -> list[list[Step]]:
        """Cases placed so that the present finds them in states that are otherwise rare."""
        wanted = [
            ("reported", {}, lambda s: s[-1].state == "reported"),
            ("reported", {}, lambda s: s[-1].state == "reported"),
            ("assigned", {}, lambda s: s[-1].state == "assigned"),
            ("awaiting", {}, lambda s: s[-1].state == "awaiting_recheck"),
            ("rework", {"fails": 1, "void": False, "returned": False, "park": None},
             lambda s: s[-1].state == "rework"),
            ("returned", {"returned": True, "void": False}, lambda s: s[-1].state == "returned"),
            ("park asked", {"park": "approved", "void": False}, lambda s: s[-1].state == "park_requested"),
            ("parked", {"park": "approved", "void": False, "returned": False},
             lambda s: s[-1].state == "parked"),
            ("extension asked", {"extend": True, "void": False, "park": None},
             lambda s: s[-1].verb == "extend"),
            ("extension refused", {"extend": True, "extend_approve": False, "void": False, "park": None},
             lambda s: any(x.verb == "decide_extension" for x in s)),
            ("red", {"neglect": True, "void": False, "park": None, "extend": False},
             lambda s: s[-1].state == "rectifying" and self.overdue(s, days=3)),
            ("red", {"neglect": True, "void": False, "park": None, "extend": False},
             lambda s: s[-1].state == "rectifying" and self.overdue(s, days=8)),
        ]
        out = []
        for name, force, found in wanted:
            for _attempt in range(20):
                case = self.new_case(self.rng, source=self.rng.choice(("inspection", "mock", "hotline")))
                # A case left to lie belongs to a unit that lets cases lie.
                good = name == "red" and profile_of(case.unit) is GOOD
                life = None if good else self._place_in_time(case, force, found)
                if life:
                    out.append(life)
                    break
                self.drop_last()
        return out

    def overdue(self, life: list[Step], *, days: int) -> bool:
        """Past its deadline by more than `days` working days (the last assignment's deadline)."""
        assigned = [s for s in life if s.verb == "assign"]
        if not assigned:
            return False
        due = self.deadline(life[0].case, assigned[-1].at)
        return due < self.cut and self.hours(due, self.cut) > days * self.cal.hours_per_day

    def _place_in_time(self, case: Case, force: dict, found) -> list[Step] | None:
        """The latest report moment (office hours, stepping back from the present) at which the
        present finds `case` as `found` wants, or None."""
        moment = self.cut.replace(minute=0, second=0, microsecond=0)
        for _ in range(3 * 24 * 45):
            moment -= timedelta(minutes=20)
            if not self.cal.is_workday(moment.date()) or not time(9) <= moment.time() <= time(16):
                continue
            life = self.cut_at_present(self.life(case, moment, force))
            if life and found(life):
                return life
        return None


class Life:
    """One case's steps as they are planned, drawn from the case's own generator."""

    def __init__(self, teller: Teller, case: Case, force: dict):
        self.t, self.case, self.force = teller, case, force
        self.rng = random.Random(SEED * 1000 + case.seed)
        self.steps: list[Step] = []
        self.state = "reported"
        self.profile = profile_of(case.unit)

    def add(self, at: datetime, verb: str, state: str | None = None, **args) -> datetime:
        self.state = state or self.state
        self.steps.append(Step(at, verb, self.case, args, self.state))
        return at

    def fate(self, name: str, chance: float):
        return self.force[name] if name in self.force else self.rng.random() < chance

    def later(self, at: datetime, low: float, high: float) -> datetime:
        return self.t.w(at, self.rng.uniform(low, high))

    def dispatch(self, reported: datetime) -> datetime | None:
        """HQ's desk: merged, voided, or assigned (most within hours; some first to the wrong
        unit, which returns it).  The moment of the last assignment, or None."""
        rng, case = self.rng, self.case
        desk = rng.uniform(0.3, 4) if rng.random() < 0.85 else rng.uniform(4, 12)
        if case.merge_into is not None:
            self.add(self.later(reported, 0.5, 3), "merge", "voided", into=case.merge_into)
            return None
        if self.fate("void", 0.03):
            self.add(self.t.w(reported, desk), "void", "voided", reason=rng.choice(texts.VOID_REASONS))
            return None
        at = self.t.w(reported, desk)
        if self.fate("returned", 0.035):
            wrong = "D11-01" if case.unit != "D11-01" else case.place.district
            at = self.add(at, "assign", "assigned", unit=wrong)
            at = self.add(self.later(at, 0.5, 3), "return", "returned", unit=wrong,
                          reason=rng.choice(texts.RETURN_REASONS))
            at = self.later(at, 0.5, 4)
        return self.add(at, "assign", "assigned", unit=case.unit)

    def accept(self, assigned: datetime) -> tuple[datetime, datetime]:
        due = self.t.deadline(self.case, assigned)
        allowed = self.t.hours(assigned, due)
        at = self.t.w(assigned, min(self.rng.uniform(*self.profile.accept), allowed * 0.4))
        return self.add(at, "accept", "rectifying"), due

    def park(self, at: datetime) -> datetime | None:
        """挂账 asked for (a case waiting for a larger project): refused, approved (the case ends
        there), or approved and later resumed.  None when it ends parked."""
        rng = self.rng
        if "park" in self.force:
            park = self.force["park"]
        else:
            chance = self.profile.park * (6 if self.case.category in PARKABLE else 0.3)
            park = rng.random() < chance and pick(rng, {"approved": 6, "rejected": 2, "unparked": 2})
        if not park:
            return at
        at = self.add(self.later(at, 2, 16), "request_park", "park_requested",
                      reason=rng.choice(texts.PARK_REASONS))
        if park == "rejected":
            return self.add(self.later(at, 1, 6), "decide_park", "rectifying", approve=False,
                            note="请先采取临时措施,按期完成整改。")
        at = self.add(self.later(at, 1, 6), "decide_park", "parked", approve=True,
                      note="同意挂账,请按分步计划推进。")
        if park != "unparked":
            return None
        return self.add(self.later(at, 40, 120), "unpark", "rectifying", note="整改条件已具备,恢复整改。")

    def extend(self, at: datetime, due: datetime, *, allowed: float) -> tuple[datetime, datetime]:
        """延期 asked before the deadline (a few working days more) and decided by HQ."""
        rng, left = self.rng, self.t.hours(at, due)
        if not self.fate("extend", self.profile.extend if allowed >= 4 else 0) or left <= 1:
            return at, due
        days = rng.randint(2, 5)
        extended = deadline_after(self.t.cal, due, days, "days")
        at = self.add(self.t.w(at, min(rng.uniform(0.5, 6), left * 0.5)), "extend", days=days,
                      delta=extended - due, reason=rng.choice(texts.EXTENSION_REASONS))
        approve = self.force.get("extend_approve", rng.random() < 0.85)
        at = self.add(self.later(at, 1, 5), "decide_extension", approve=approve,
                      note="" if approve else "时限内可以完成,不同意延期。")
        return at, extended if approve else due

    def rectify(self, at: datetime, due: datetime, *, old: bool) -> None:
        """整改完成 (on time, or late by the unit's habit), 复查 by the inspector — failed ones
        reworked — until closed; then, for a citizen or the hotline, the public reply."""
        rng, p, t = self.rng, self.profile, self.t
        on_time = self.fate("on_time", p.on_time)
        fails = self.force.get("fails", int(rng.random() < p.fail) + int(rng.random() < p.fail / 2))
        for n in range(fails + 1):
            left = t.hours(at, due)
            if n:
                submit = t.w(at, rng.uniform(2, 10) * (2 if p is BAD else 1))
            elif on_time and left > 0.3:
                submit = t.w(at, left * rng.uniform(0.25, 0.7))
            else:
                submit = t.w(max(at, due), rng.uniform(*p.late) * (2 if old else 1))
            # An after photo with the first report of the work (the service needs one; a rework
            # report may rely on it).
            at = self.add(submit, "submit", "awaiting_recheck", photo=None if n else self.case.key,
                          note=texts.SUBMIT_NOTES.get(t.groups[self.case.category], "已整改完毕。"))
            gap = rng.uniform(0.5, 6)
            if at < due:  # on time: rechecked before the deadline
                gap = min(gap, t.hours(at, due) * 0.8)
            if n < fails:
                at = self.add(t.w(at, gap), "fail", "rework", note=rng.choice(texts.RECHECK_FAILS))
            else:
                at = self.add(t.w(at, gap), "pass", "closed", note=rng.choice(texts.RECHECK_PASSES))
        if self.case.source in ("citizen", "hotline") and rng.random() < 0.6:
            self.add(self.later(at, 0.5, 3), "reply", text=rng.choice(texts.REPLIES))
