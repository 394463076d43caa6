"""Staff writes behind the problem pages that add to the core services: photos stored through
`photos_store` (re-encoded, no metadata in the file; EXIF evidence kept in the database for
staff photos) and the dispatch desk's bulk actions.

Photos are prepared (checked and re-encoded, 0.1-0.5 s each) before the transaction opens, so
the database's write lock is not held while pixels are decoded (SQLite)."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from chuangwen.accounts.permissions import require_verb
from chuangwen.attachments.services import photos_store, prepare_photos

from ..models import Problem
from ..permissions import require_party
from ..transitions import Party
from .loop import problem_assign, problem_submit, problem_void
from .report import PHOTO_AFTER, PHOTO_BEFORE, problem_report


def problem_report_with_photos(*, actor, photos=(), **fields) -> Problem:
    """`problem_report` by a staff member, with before photos kept as evidence (EXIF time,
    place and device in the database; the stored file carries none of it)."""
    require_verb(actor, "problem.report")  # before the transaction: a denial entry must stay
    prepared = prepare_photos(photos, keep_evidence=True) if photos else []
    with transaction.atomic():
        problem = problem_report(actor=actor, **fields)
        if prepared:
            photos_store(prepared, owner_kind=PHOTO_BEFORE, owner_id=problem.pk, actor=actor, evidence=True)
    return problem


def problem_submit_with_photos(*, problem: Problem, actor, note: str = "", photos=(),
                               expected_version: int | None = None) -> Problem:
    """整改完成 with after photos stored as evidence; a refused or stale submit stores nothing."""
    if photos:
        require_party(actor, problem, Party.UNIT, "整改完成")  # before storing, outside the transaction
    prepared = prepare_photos(photos, keep_evidence=True) if photos else []
    with transaction.atomic():
        if prepared:
            photos_store(prepared, owner_kind=PHOTO_AFTER, owner_id=problem.pk, actor=actor, evidence=True)
        return problem_submit(problem=problem, actor=actor, note=note, expected_version=expected_version)


# --- the dispatch desk's bulk actions ----------------------------------------------------------------

@dataclass
class BulkResult:
    done: list[Problem] = field(default_factory=list)
    refused: list[tuple[Problem, str]] = field(default_factory=list)


def _each(problems, call) -> BulkResult:
    """Row by row, each in its own transaction (the core service's): a refused row is reported
    and the others proceed.  Problems are independent cases, and one stale row must not cost the
    desk the other forty-nine."""
    result = BulkResult()
    for problem in problems:
        try:
            result.done.append(call(problem))
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc) or "没有权限。"]
            result.refused.append((problem, ";".join(messages)))
    return result


def problems_assign_many(*, problems, actor, unit=None, severity: str | None = None,
                         versions: dict[int, int] | None = None) -> BulkResult:
    """交办 each problem to `unit`, or (None) to its own routing suggestion."""
    versions = versions or {}
    return _each(problems, lambda p: problem_assign(problem=p, actor=actor, unit=unit, severity=severity,
                                                    expected_version=versions.get(p.pk)))


def problems_void_many(*, problems, actor, reason: str) -> BulkResult:
    if not reason.strip():
        raise ValidationError("作废须填写理由。")
    return _each(problems, lambda p: problem_void(problem=p, actor=actor, reason=reason))
