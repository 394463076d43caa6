"""Every change to rewards and penalties: atomic, audited.  Rules only propose
(`propose_for_period`, `propose_for_tasks`); a confirmer issues (`proposal_confirm`) or
dismisses (`proposal_dismiss`); HQ configures (`rule_create`, `rule_update`, `ladder_update`)."""

from .common import StaleVersion
from .config import ladder_update, rule_create, rule_update
from .decisions import proposal_confirm, proposal_dismiss
from .periods import propose_for_period
from .task_rules import propose_for_tasks

__all__ = [
    "StaleVersion", "ladder_update", "proposal_confirm", "proposal_dismiss", "propose_for_period",
    "propose_for_tasks", "rule_create", "rule_update",
]
