from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .roles import ADMIN_BITS, BUSINESS_LIMIT, Role, from_mask, is_valid_mask, to_mask


class ChuangwenUserManager(UserManager):
    def with_role(self, role: str):
        from .roles import BITS

        bit = BITS[Role(role)]
        return self.annotate(_has=models.F("roles_mask").bitand(bit)).filter(_has=bit)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: the account they log in with (if any) and the roles they hold.

    Posts (which unit, which title, head or liaison) live in `org.Post`.
    """

    username = models.CharField(
        "用户名", max_length=150, unique=True, validators=[UnicodeUsernameValidator()],
        error_messages={"unique": "该用户名已被使用。"},
    )
    full_name = models.CharField("姓名", max_length=60)
    roles_mask = models.PositiveIntegerField("角色", default=0)
    is_active = models.BooleanField("启用", default=True)
    is_staff = models.BooleanField("可进入管理后台", default=False)
    date_joined = models.DateTimeField("创建时间", default=timezone.now)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("下次登录须改密码", default=False)
    # Set by the security administrator for people outside the three administrator roles
    # (who always need the second factor).
    mfa_required = models.BooleanField("须使用动态口令", default=False)

    objects = ChuangwenUserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        constraints = [
            # 三员分立: an administrator role stands alone (see roles.py).
            models.CheckConstraint(
                condition=models.Q(roles_mask__lt=BUSINESS_LIMIT) | models.Q(roles_mask__in=ADMIN_BITS),
                name="user_admin_roles_exclusive",
                violation_error_message="系统管理员、安全管理员、审计管理员三种角色互斥,且不能兼任业务角色。",
            ),
        ]

    def __str__(self):
        return self.full_name or self.username

    # --- roles -------------------------------------------------------------------------
    @property
    def roles(self) -> list[Role]:
        return from_mask(self.roles_mask)

    @roles.setter
    def roles(self, value) -> None:
        self.roles_mask = to_mask(value)

    def has_role(self, *roles: str) -> bool:
        return bool(self.is_active and any(r in self.roles for r in roles))

    @property
    def role_labels(self) -> str:
        return "、".join(r.label for r in self.roles)

    def clean(self):
        super().clean()
        if not is_valid_mask(self.roles_mask):
            raise ValidationError(
                {"roles_mask": "系统管理员、安全管理员、审计管理员三种角色互斥,且不能兼任业务角色。"}
            )

    # --- second factor and password age (read from the row itself: no query per request) ---
    @property
    def needs_mfa(self) -> bool:
        return bool(self.mfa_required or self.roles_mask & sum(ADMIN_BITS))

    def password_expired(self, now=None) -> bool:
        days = settings.PASSWORD_MAX_AGE_DAYS
        if days <= 0 or not self.has_usable_password():
            return False
        if self.password_changed_at is None:
            return True
        return (now or timezone.now()) - self.password_changed_at > timedelta(days=days)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name

    def audit_snapshot(self) -> dict:
        """Who acted, as the audit log keeps it: names, not keys."""
        unit = ""
        posts = getattr(self, "_audit_units", None)
        if posts is None:
            try:
                from django.apps import apps

                Post = apps.get_model("org", "Post")
                posts = list(
                    Post.objects.current().filter(person=self).values_list("unit__name", flat=True)[:3]
                )
            except LookupError:
                posts = []
            self._audit_units = posts
        unit = "、".join(posts)
        return {
            "actor_id": self.pk,
            "actor_name": f"{self.full_name}({self.username})"[:150],
            "actor_role": ",".join(self.roles)[:200],
            "actor_unit": unit[:300],
        }


class PasswordHistory(models.Model):
    """A password a person has used (its hash), the current one included: the last
    `PASSWORD_HISTORY` may not be chosen again."""

    user = models.ForeignKey(User, verbose_name="人员", on_delete=models.CASCADE,
                             related_name="password_history")
    password = models.CharField("密码摘要", max_length=128)
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        # The change-password check reads one person's newest rows.
        indexes = [models.Index(fields=["user", "-created_at"], name="pwhistory_user_recent")]

    def __str__(self):
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"
