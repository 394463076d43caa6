"""Every change to plans and tasks: atomic, audited, with the task's timeline event."""

from .common import StaleVersion
from .handovers import handover_accept, handover_return, handover_review, handover_submit
from .lifecycle import (
    extension_decide, extension_request, task_cancel, task_decompose, task_issue, task_sign_for, task_start,
)
from .plans import (
    missing_fixes, next_code, plan_create, plan_update, policy_create, policy_update, task_create, task_sign_off,
    task_update,
)
from .progress import milestone_tick, progress_prefill, progress_report

__all__ = [
    "StaleVersion", "extension_decide", "extension_request", "handover_accept", "handover_return",
    "handover_review", "handover_submit", "milestone_tick", "missing_fixes", "next_code", "plan_create",
    "plan_update", "policy_create", "policy_update", "progress_prefill", "progress_report", "task_cancel", "task_create",
    "task_decompose", "task_issue", "task_sign_for", "task_sign_off", "task_start", "task_update",
]
