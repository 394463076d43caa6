"""The role × verb table (accounts.permissions) with the scope rule on top: acting on a unit
needs the verb and the unit inside what the person sees."""

from chuangwen.accounts.permissions import BUSINESS_VIEWERS, VERB_LABELS, VERBS, deny, has_verb

__all__ = ["BUSINESS_VIEWERS", "VERBS", "VERB_LABELS", "can", "require"]


def can(user, verb: str, unit=None) -> bool:
    """True if `user` holds a role allowed `verb`, and `unit` (if given) is in their scope."""
    if not has_verb(user, verb):
        return False
    if unit is not None:
        from .selectors import units_visible_to

        return units_visible_to(user).filter(pk=unit.pk).exists()
    return True


def require(user, verb: str, unit=None) -> None:
    """Raise PermissionDenied (with a Chinese reason) and audit the denial unless `can`.

    Call it before opening the service's transaction, so the denial entry is not rolled back.
    """
    if not can(user, verb, unit):
        deny(user, verb, unit)
