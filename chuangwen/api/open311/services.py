"""Every write of the Open311 app: keys (the security administrator's job, verb apikey.manage)
and service requests, which enter the rectification loop through `problem_report`, the same
service the web form and the citizen page call."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.accounts.permissions import require_verb
from chuangwen.api.services import MAX_DAYS, digest
from chuangwen.audit.log import record
from chuangwen.audit.models import Outcome
from chuangwen.lib.pi import EncryptedTextField, encrypt, phone_index
from chuangwen.places.models import DISTRICT_KINDS, Site
from chuangwen.problems.models import Category, Problem, Source
from chuangwen.problems.services import problem_report

from .attributes import validate_answers
from .errors import Open311Error
from .models import Open311Key, Open311Request
from .selectors import active_attributes, service_notice
from .submission import Submission

KEY_PREFIX = "o311_"
# Open311 clients are public-facing channels acting for citizens, and problem_report takes an
# anonymous report (actor=None) from the citizen source only: see docs/open311.md.
SOURCE = Source.CITIZEN


# --- keys ------------------------------------------------------------------------------------


def key_issue(*, name: str, actor, days: int = 365, can_post: bool = True, districts=(),
              hourly_limit: int = 300) -> tuple[Open311Key, str]:
    """A key for a partner system; the plaintext is returned once and never stored."""
    require_verb(actor, "apikey.manage")
    name = name.strip()[:60]
    if not name:
        raise ValidationError("请填写接入方名称。")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"有效期须在 1 至 {MAX_DAYS} 天之间。")
    districts = list(districts)
    for unit in districts:
        if unit.kind not in DISTRICT_KINDS or not unit.is_active:
            raise ValidationError(f"“{unit.name}”不是在用的县(市、区)或开发区。")
    prefix = secrets.token_hex(5)
    # Hex on both sides of the underscore, so the key splits unambiguously (like the API tokens).
    plaintext = f"{KEY_PREFIX}{prefix}_{secrets.token_hex(32)}"
    with transaction.atomic():
        key = Open311Key(name=name, prefix=prefix, digest=digest(plaintext), can_post=can_post,
                         hourly_limit=hourly_limit, created_by=str(actor),
                         expires_at=timezone.now() + timedelta(days=days))
        key.full_clean()
        key.save()
        key.districts.set(districts)
        record("open311.key_issue", actor=actor, obj=key, changes={
            "name": [None, key.name], "can_post": [None, can_post], "hourly_limit": [None, hourly_limit],
            "districts": [None, [u.code for u in districts]],
            "expires_at": [None, key.expires_at.isoformat()],
        })
    return key, plaintext


def key_revoke(*, key: Open311Key, actor) -> Open311Key:
    require_verb(actor, "apikey.manage")
    with transaction.atomic():
        locked = Open311Key.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            record("open311.key_revoke", actor=actor, obj=locked)
    return locked


def key_authenticate(raw: str, *, touch: bool = True) -> Open311Key | None:
    """The usable key `raw` names, or None.  Constant-time compare of the digest.  `touch=False`
    only checks (the demo loader), without recording a use."""
    raw = (raw or "").strip()
    if not raw.startswith(KEY_PREFIX) or raw.count("_") != 2 or len(raw) > 100:
        return None
    prefix = raw[len(KEY_PREFIX):].split("_", 1)[0]
    key = Open311Key.objects.usable().filter(prefix=prefix).first()
    if key is None or not secrets.compare_digest(key.digest, digest(raw)):
        return None
    now = timezone.now()
    # Touch at most hourly: a client posting in a loop must not write the key on every call.
    if touch and (key.last_used_at is None or now - key.last_used_at > timedelta(hours=1)):
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def key_denied(raw: str) -> None:
    """Audit a POST with a key that does not open the door (never the key itself)."""
    raw = (raw or "").strip()
    prefix = raw[len(KEY_PREFIX):].split("_", 1)[0][:10] if raw.startswith(KEY_PREFIX) else ""
    record("open311.key_denied", outcome=Outcome.DENIED, object_type="open311.open311key",
           object_id=prefix, changes={"prefix": [None, prefix]})


# --- service requests ------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    district: object
    address: str
    lng: object
    lat: object


def _place(key: Open311Key, s: Submission, errors: list[str]) -> Placed | None:
    """Where the problem is: a registered site (address_id = 点位编码) gives its district, address
    and point; otherwise the key's one district, if it has exactly one."""
    site = None
    if s.address_id:
        site = Site.objects.filter(code=s.address_id, is_active=True).select_related("district").first()
        if site is None:
            errors.append(f"address_id {s.address_id} 不是已登记的点位编码。(address_id was not found)")
            return None
    allowed = list(key.districts.all())
    if site is not None:
        district = site.district
    elif len(allowed) == 1:
        district = allowed[0]
    elif allowed:
        raise Open311Error(403, "此密钥只能上报指定县区的问题,请用 address_id 提供点位编码。"
                                "(this api_key is limited to some districts: send an address_id)")
    else:
        district = None
    if allowed and district not in allowed:
        raise Open311Error(403, "此密钥无权上报该县区的问题。(this api_key may not report in this district)")
    address = s.address_string
    if not address and site is not None:
        address = f"{site.name}({site.address})" if site.address else site.name
    lng, lat = s.lng, s.lat
    if lng is None and site is not None and site.lng is not None:
        lng, lat = site.lng, site.lat
    return Placed(district, address[:200], lng, lat)


def _check_rate(key: Open311Key) -> None:
    since = timezone.now() - timedelta(hours=1)
    if Open311Request.objects.filter(key=key, created_at__gte=since).count() >= key.hourly_limit:
        raise Open311Error(429, f"此密钥每小时最多上报 {key.hourly_limit} 件,请稍后再试。"
                                "(rate limit reached for this api_key)")


def _set_reporter(problem: Problem, name: str, phone: str) -> None:
    """The reporter's name and phone onto the new problem, encrypted (chuangwen.lib.pi), with the
    phone's blind index.  The column encrypts by itself once it is an EncryptedTextField."""
    def sealed(field: str, value: str) -> str:
        if not value:
            return ""
        return value if isinstance(Problem._meta.get_field(field), EncryptedTextField) else encrypt(value)

    Problem.objects.filter(pk=problem.pk).update(
        reporter_name_enc=sealed("reporter_name_enc", name),
        reporter_phone_enc=sealed("reporter_phone_enc", phone),
        reporter_phone_index=phone_index(phone) if phone else "",
    )


def _description(category: Category, s: Submission, lines: list[str]) -> str:
    text = s.description or f"{category.name}(上报时未填写描述)"
    if lines:
        text += "\n\n附加信息:\n" + "\n".join(lines)
    return text


def request_submit(*, key: Open311Key, submission: Submission) -> Open311Request:
    """POST /requests: a problem reported (待交办) through `problem_report` with actor=None, plus
    its Open311 record.  Raises Open311Error: 403 (key or scope), 404 (service), 400 (input,
    all problems at once), 429 (the key's hourly limit)."""
    s = submission
    if not key.can_post:
        raise Open311Error(403, "此密钥没有上报权限。(this api_key may not post requests)")
    errors = list(s.errors)
    category = None
    if s.service_code:
        category = Category.objects.filter(code=s.service_code, is_active=True).first()
        if category is None:
            raise Open311Error(404, f"没有编码为 {s.service_code} 的服务。(service_code was not found)")
    attributes = []
    if category is not None:
        attributes = active_attributes(category)
    answers, attribute_errors = validate_answers(attributes, s.attributes)
    errors += attribute_errors
    placed = _place(key, s, errors)
    if errors:
        raise Open311Error(400, *errors)
    _check_rate(key)
    with transaction.atomic():
        problem = problem_report(
            source=SOURCE, category=category, description=_description(category, s, answers.lines),
            actor=None,
            district=placed.district, address=placed.address, lng=placed.lng, lat=placed.lat,
        )
        if s.reporter_name or s.reporter_phone:
            _set_reporter(problem, s.reporter_name, s.reporter_phone)
        req = Open311Request.objects.create(
            problem=problem, key=key, token=secrets.token_hex(16), attributes=answers.values,
            address_id=s.address_id, media_url=s.media_url,
        )
        record("open311.request", actor=None, actor_name=f"Open311:{key.name}"[:150], obj=problem, changes={
            "key": [None, key.prefix], "service_code": [None, category.code],
            "number": [None, problem.number],
            "attributes": [None, sorted(answers.values)],
        })
    req.service_notice = service_notice(category)
    return req
