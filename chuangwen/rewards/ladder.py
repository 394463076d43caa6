"""The escalation ladder (逐级升级) as plain Python, tested without a database.

A penalty proposed for a unit that already had penalties in the window becomes the rung above
the heaviest of them (never lighter than what the rule proposed, never above the top rung).  A
reward, or a kind not on the ladder, is never changed.
"""

import calendar
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from chuangwen.tasks.models import RewardKind

LABELS = dict(RewardKind.choices)


@dataclass(frozen=True)
class Step:
    kind: str
    note: str  # "" when the kind is unchanged


def escalate(base: str, prior: Sequence[str], rungs: Sequence[str], window_months: int) -> Step:
    if base not in rungs:
        return Step(base, "")
    on_ladder = [k for k in prior if k in rungs]
    if not on_ladder:
        return Step(base, "")
    heaviest = max(rungs.index(k) for k in on_ladder)
    index = max(rungs.index(base), min(heaviest + 1, len(rungs) - 1))
    kind = rungs[index]
    counts = Counter(on_ladder)
    history = "、".join(f"{LABELS.get(k, k)}{counts[k]}次" for k in rungs if counts[k])
    if kind == base:
        note = f"近{window_months}个月内已有{history},已是升级阶梯的最高一级。" if index == len(rungs) - 1 else ""
        return Step(kind, note)
    was, now = LABELS.get(base, base), LABELS.get(kind, kind)
    return Step(kind, f"近{window_months}个月内已有{history},按逐级升级规则由{was}升为{now}。")


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the last day of that month when it is shorter)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
