"""Demo login accounts: their passwords, the accounts file and the table printed for people.

Passwords come from `secrets` at load time, never from the name seed or the code, so two
installations of the demo never share a password.  The three administrators also need the
second factor: each gets a confirmed TOTP device, whose base32 secret is the fourth field of
their line in the file (`role username password SECRET`).
"""

import os
import secrets
import string
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.accounts.mfa import base32_secret, mfa_provision
from chuangwen.accounts.models import User
from chuangwen.accounts.roles import ADMIN_ROLES, Role
from chuangwen.audit.log import record
from chuangwen.org.models import Post

from .data import DEMO_LOGINS

FILE_NAME = "demo-accounts.txt"
# Letters and digits that cannot be mistaken for one another when read off a screen.
_LOWER = "abcdefghjkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"
_ALPHABET = _LOWER + _UPPER + _DIGITS


@dataclass(frozen=True)
class Account:
    role: str
    username: str
    password: str
    totp_secret: str = ""  # the three administrators only


def accounts_path() -> Path:
    return Path(settings.VAR_DIR) / FILE_NAME


def new_password(user: User) -> str:
    """Four groups of four joined by '-' (all four character classes), checked against the
    project's validators with the user it is for."""
    while True:
        groups = ["".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4)]
        password = "-".join(groups)
        if not (any(c in _LOWER for c in password) and any(c in _UPPER for c in password)
                and any(c in string.digits for c in password)):
            continue
        try:
            password_validation.validate_password(password, user)
        except ValidationError:
            continue
        return password


def reset_passwords(usernames) -> dict[str, str]:
    """New passwords for existing demo logins (the accounts file was lost), each change audited
    as done by the system.  Missing users are skipped."""
    passwords = {}
    with transaction.atomic():
        for user in User.objects.select_for_update().filter(username__in=list(usernames)).order_by("pk"):
            password = new_password(user)
            user.set_password(password)
            user.password_changed_at = timezone.now()
            user.must_change_password = False
            user.save(update_fields=["password", "password_changed_at", "must_change_password"])
            record("password.reset", actor=None, obj=user,
                   changes={"reason": [None, "演示账号密码重新生成"]})
            passwords[user.username] = password
    return passwords


def totp_secrets(usernames) -> dict[str, str]:
    """The administrators' TOTP secrets, giving each a confirmed device if it has none."""
    admins = User.objects.filter(username__in=list(usernames)).order_by("pk")
    return {user.username: base32_secret(mfa_provision(user=user))
            for user in admins if user.needs_mfa}


def ordered_accounts(passwords: dict[str, str], totp: dict[str, str] | None = None) -> list[Account]:
    """The demo logins in file order; `totp` (username -> TOTP secret) defaults to the
    administrators' devices in the database."""
    if totp is None:
        totp = totp_secrets([u for role, u in DEMO_LOGINS if role in ADMIN_ROLES and u in passwords])
    return [Account(str(role), username, passwords[username], totp.get(username, ""))
            for role, username in DEMO_LOGINS if username in passwords]


def write_accounts(accounts: list[Account], *, city: str) -> Path:
    """Write the file readable by its owner only: created 0600 under a temporary name, then
    moved into place, so no moment exists where the passwords are world-readable."""
    path = accounts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"# {city}演示账号:角色 用户名 密码 [动态口令密钥](load_demo 生成,仅供本机演示,请勿外传)",
        "# 三员账号登录还须动态口令:把第 4 列的密钥加入手机令牌应用(TOTP,30 秒,6 位)。",
        "# 任务督办:hq_director 验收交账、审批延期;district_head 验收街道和社区交账;community_head 交账、"
        "验收门店交账;community_liaison 签收、报送进度;mayor 看挂钩任务;vice_mayor 看优良秩序组。",
        *(" ".join(filter(None, (a.role, a.username, a.password, a.totp_secret))) for a in accounts),
    ]
    fd, tmp = tempfile.mkstemp(prefix=".demo-accounts-", dir=path.parent)  # mkstemp creates 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    os.chmod(path, 0o600)
    return path


def read_accounts() -> list[Account] | None:
    """The accounts in the file, or None if it is missing or does not list every demo login."""
    path = accounts_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    found: dict[tuple[str, str], tuple[str, str]] = {}
    admin_roles = {str(r) for r in ADMIN_ROLES}
    for line in text.splitlines():
        fields = line.split()
        if not fields or line.startswith("#"):
            continue
        # An administrator's line carries the TOTP secret; a file from before it did not.
        if len(fields) != (4 if fields[0] in admin_roles else 3):
            return None
        role, username, password, *secret = fields
        found[role, username] = (password, "".join(secret))
    expected = [(str(role), username) for role, username in DEMO_LOGINS]
    if any(key not in found for key in expected):
        return None
    return ordered_accounts(
        {username: found[role, username][0] for role, username in expected},
        {username: found[role, username][1] for role, username in expected if found[role, username][1]},
    )


# --- the table for people ------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def describe(accounts: list[Account]) -> dict[str, tuple[str, str]]:
    """username -> (full name, current posts) for the table."""
    users = {u.username: u for u in User.objects.filter(username__in=[a.username for a in accounts])}
    posts: dict[str, list[str]] = {}
    for post in Post.objects.current().filter(person__in=users.values()).select_related("unit", "person"):
        posts.setdefault(post.person.username, []).append(f"{post.unit.name} {post.title}")
    return {name: (u.full_name, "、".join(posts.get(name, []))) for name, u in users.items()}


def format_table(accounts: list[Account], *, city: str, path: Path) -> str:
    info = describe(accounts)
    header = ("角色", "用户名", "密码", "动态口令密钥", "姓名", "职务")
    rows = [
        (Role(a.role).label, a.username, a.password, a.totp_secret or "-", *info.get(a.username, ("", "")))
        for a in accounts
    ]
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]

    def line(row):
        return "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1]

    return "\n".join([
        f"{city}演示账号(每个角色一个,已保存到 {path}):",
        line(header),
        *(line(r) for r in rows),
        "三员账号(系统/安全/审计管理员)登录还须动态口令:把“动态口令密钥”加入手机令牌应用(TOTP)。",
    ])
