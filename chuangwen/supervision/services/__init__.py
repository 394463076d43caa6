"""Every change to instructions, meetings, decisions and visits: atomic, audited; tasks and
problems are created through their own apps' services."""

from .common import DEFAULT_CRITERIA, DEFAULT_POINTS, Fixes, default_policy, plan_title, source_plan
from .instructions import INSTRUCTION_FILES, instruction_close, instruction_create, instruction_split
from .meetings import MINUTES_FILES, decision_add, decision_close, decision_split, meeting_create
from .visits import finding_report, visit_create

__all__ = [
    "DEFAULT_CRITERIA", "DEFAULT_POINTS", "Fixes", "INSTRUCTION_FILES", "MINUTES_FILES", "decision_add",
    "decision_close", "decision_split", "default_policy", "finding_report", "instruction_close",
    "instruction_create", "instruction_split", "meeting_create", "plan_title", "source_plan", "visit_create",
]
