"""Load the demo city once; afterwards only (re)issue the demo logins' passwords."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from chuangwen.accounts.models import User
from chuangwen.org.models import Unit

from . import data
from .accounts import Account, accounts_path, ordered_accounts, read_accounts, reset_passwords, write_accounts
from .build import build_city


class DemoRefused(Exception):
    """The database holds other data the demo must not be mixed into."""


@dataclass(frozen=True)
class DemoResult:
    status: str  # "loaded", "present" (nothing done) or "reset" (new passwords issued)
    city: str
    accounts: list[Account]
    path: Path


def load(*, reset: bool = False) -> DemoResult:
    """Load the demo city in one transaction, or, if it is there already, return the accounts
    from the file (issuing new passwords if the file is gone or `reset` is asked)."""
    usernames = [username for _, username in data.DEMO_LOGINS]
    root = Unit.objects.filter(code=data.CITY_CODE).first()
    if root is not None:
        accounts = None if reset else read_accounts()
        if accounts is not None:
            return DemoResult("present", root.name, accounts, accounts_path())
        accounts = ordered_accounts(reset_passwords(usernames))
        return DemoResult("reset", root.name, accounts, write_accounts(accounts, city=root.name))

    # A real city's data (or hand-made accounts) must never be mixed with invented people.
    if Unit.objects.exists():
        raise DemoRefused("数据库中已有单位数据,演示城市只能加载到空库中。")
    taken = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if taken:
        raise DemoRefused(f"演示账号的用户名已被占用:{'、'.join(taken)}。")

    city = settings.CITY_NAME
    with transaction.atomic():
        passwords = build_city()
    # Written after the commit: a rolled-back load leaves no file naming accounts that don't exist.
    accounts = ordered_accounts(passwords)
    return DemoResult("loaded", city, accounts, write_accounts(accounts, city=city))
