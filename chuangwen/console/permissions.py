"""Which of the role table's verbs open the console (the table itself is accounts.permissions)."""

from chuangwen.accounts.permissions import has_verb

# Each administrator's verbs: holding any of them opens the console and shows its menu entry.
CONSOLE_VERBS = ("user.manage", "backup.run", "role.grant", "post.manage", "mfa.manage",
                 "apikey.manage", "audit.read")


def console_verbs(user) -> set[str]:
    return {verb for verb in CONSOLE_VERBS if has_verb(user, verb)}
