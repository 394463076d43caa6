"""Completion rolled up by weight, from the work up (plain Python, tested without a database).

A task's completion is 100 once accepted; otherwise, a task with live subtasks takes their
weighted mean, and a task without them takes its last reported percent.  A plan's completion is
the weighted mean of its top-level tasks.  Cancelled tasks count for nothing.  Nothing is ever
typed at a parent.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Row:
    id: int
    parent_id: int | None
    weight: Decimal
    status: str
    progress: int


def completions(rows: list[Row]) -> dict[int, float]:
    """Completion (0-100) of every task in `rows` (which must include all descendants of each)."""
    children: dict[int | None, list[Row]] = defaultdict(list)
    for row in rows:
        if row.status != "cancelled":
            children[row.parent_id].append(row)
    result: dict[int, float] = {}

    def visit(row: Row) -> float:
        if row.id in result:
            return result[row.id]
        if row.status == "accepted":
            value = 100.0
        elif children.get(row.id):
            value = weighted_mean([(visit(c), c.weight) for c in children[row.id]])
        else:
            value = float(row.progress)
        result[row.id] = value
        return value

    # Iterative order (deepest first) keeps recursion shallow on long chains.
    for row in sorted(rows, key=lambda r: r.id, reverse=True):
        if row.status != "cancelled":
            visit(row)
    return result


def weighted_mean(pairs: list[tuple[float, Decimal]]) -> float:
    total = sum(float(w) for _, w in pairs)
    if not total:
        return 0.0
    return sum(v * float(w) for v, w in pairs) / total


def plan_completion(rows: list[Row]) -> float:
    done = completions(rows)
    top = [r for r in rows if r.parent_id is None and r.status != "cancelled"]
    return weighted_mean([(done[r.id], r.weight) for r in top])
