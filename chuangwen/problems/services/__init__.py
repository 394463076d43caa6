"""Every change to problems: atomic, audited, with the problem's timeline event."""

from .common import StaleVersion
from .extensions import problem_extension_decide, problem_extension_request, problem_reply
from .loop import (
    deadline_for,
    problem_accept,
    problem_assign,
    problem_decide_park,
    problem_recheck,
    problem_request_park,
    problem_return,
    problem_submit,
    problem_unpark,
    problem_void,
)
from .merge import problem_merge
from .report import PHOTO_AFTER, PHOTO_BEFORE, problem_report

__all__ = [
    "PHOTO_AFTER", "PHOTO_BEFORE", "StaleVersion", "deadline_for", "problem_accept", "problem_assign",
    "problem_decide_park", "problem_extension_decide", "problem_extension_request", "problem_merge", "problem_reply", "problem_recheck", "problem_report", "problem_request_park", "problem_return",
    "problem_submit", "problem_unpark", "problem_void",
]
