"""JSON API v1: token-authenticated, every read through the scope rule, keyset-paginated.

OpenAPI document at /api/v1/openapi.json.  The interactive docs page is off: it needs inline
script and a CDN, neither allowed on a city intranet under our CSP.  Every POST takes an optional
`Idempotency-Key` (v1/idempotency.py).
"""

import secrets
from typing import Annotated

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, NinjaAPI, Query
from ninja.security import HttpBearer

from chuangwen.org import selectors
from chuangwen.org.models import Linkage, Post
from chuangwen.org.permissions import require

from ..services import digest, token_authenticate
from . import errors, idempotency, problems, schemas, serializers, tasks
from .common import ERRORS, PageParams, Text
from .common import path_key as _key
from .pagination import page


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        found = getattr(request, "api_token", None)
        # The idempotency guard authenticates before the operation does (`_token_scope`): the
        # operation reuses that token instead of looking it up again.
        if found is None or not secrets.compare_digest(found.digest, digest(token)):
            found = token_authenticate(token)
        if found is None:
            return None
        request.user = found.person
        request.api_token = found
        return found.person


class Api(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return idempotency.document(schema)


_token_auth = TokenAuth()


def _token_scope(request) -> str | None:
    """Whose idempotency keys a request uses: its token's, once the token is authenticated (a
    stored answer is only ever replayed to the token that got it first)."""
    return f"token:{request.api_token.pk}" if _token_auth(request) else None


api = Api(
    title="创文平台接口",
    version="1",
    description=(
        "组织机构、工作方案与任务督办数据接口。"
        "使用 `Authorization: Bearer <令牌>` 认证;令牌由安全管理员签发。"
    ),
    urls_namespace="api-v1",
    auth=_token_auth,
    docs_url=None,
    openapi_url="/openapi.json",
)
errors.install(api)
idempotency.install(api, scope=_token_scope)
# Plans, tasks, progress and handovers (paths /plans, /tasks, /handovers).
api.add_router("", tasks.router)
api.add_router("", problems.router)
api.add_router("", "chuangwen.api.v1.evaluation.router")
api.add_router("", "chuangwen.api.v1.rewards.router")
api.add_router("", "chuangwen.api.v1.supervision.router")


@api.get("/units", response={200: schemas.UnitPage, **ERRORS}, tags=["组织机构"], summary="单位列表")
def list_units(request, params: Query[PageParams], q: Text | None = None, kind: Text | None = None,
               parent: Text | None = None):
    require(request.user, "org.view")
    qs = selectors.units_visible_to(request.user).select_related("parent")
    if q:
        qs = qs.filter(Q(name__icontains=q[:50]) | Q(code__iexact=q[:50]))
    if kind:
        qs = qs.filter(kind=kind)
    if parent:
        qs = qs.filter(parent__code=parent)
    return page(qs, key="path", after=params.after, limit=params.limit, serialize=serializers.unit)


@api.get("/units/{code}", response={200: schemas.Unit, **ERRORS}, tags=["组织机构"], summary="单位详情")
def get_unit(request, code: str):
    require(request.user, "org.view")
    return serializers.unit(get_object_or_404(selectors.units_visible_to(request.user).select_related("parent"),
                                              code=_key(code)))


@api.get("/people", response={200: schemas.PersonPage, **ERRORS}, tags=["组织机构"], summary="人员列表")
def list_people(request, params: Query[PageParams], q: Text | None = None):
    require(request.user, "org.view")
    qs = selectors.people_visible_to(request.user)
    if q:
        qs = qs.filter(Q(full_name__icontains=q[:50]) | Q(username__iexact=q[:50]))
    return page(qs, key="username", after=params.after, limit=params.limit, serialize=serializers.person)


@api.get("/people/{username}", response={200: schemas.Person, **ERRORS}, tags=["组织机构"], summary="人员详情")
def get_person(request, username: str):
    require(request.user, "org.view")
    person = get_object_or_404(selectors.people_visible_to(request.user), username=_key(username))
    return serializers.person(person)


@api.get("/posts", response={200: schemas.PostPage, **ERRORS}, tags=["组织机构"], summary="任职列表")
def list_posts(request, params: Query[PageParams], unit: Text | None = None, current: bool = False):
    require(request.user, "org.view")
    qs = Post.objects.filter(unit__in=selectors.units_visible_to(request.user)).select_related("person", "unit")
    if unit:
        qs = qs.filter(unit__code=unit)
    if current:
        qs = qs.current()
    return page(qs, key="id", after=params.after, limit=params.limit, serialize=serializers.post)


@api.get("/linkages", response={200: schemas.LinkagePage, **ERRORS}, tags=["组织机构"], summary="挂钩关系")
def list_linkages(request, params: Query[PageParams],
                  level: Annotated[int, Field(ge=1, le=3)] | None = None):
    require(request.user, "org.view")
    qs = Linkage.objects.filter(unit__in=selectors.units_visible_to(request.user)).select_related(
        "person", "from_unit", "unit"
    )
    if level:
        qs = qs.filter(level=level)
    return page(qs, key="id", after=params.after, limit=params.limit, serialize=serializers.linkage)


def _visible_ids(user):
    return None if selectors.sees_all_units(user) else set(selectors.units_visible_to(user).values_list("id", flat=True))


@api.get("/groups", response={200: schemas.GroupPage, **ERRORS}, tags=["组织机构"], summary="指挥部工作组")
def list_groups(request, params: Query[PageParams]):
    require(request.user, "org.view")
    visible = _visible_ids(request.user)
    return page(selectors.groups_visible_to(request.user), key="id", after=params.after, limit=params.limit,
                serialize=lambda g: serializers.group(g, visible))


@api.get("/groups/{code}", response={200: schemas.Group, **ERRORS}, tags=["组织机构"], summary="工作组详情")
def get_group(request, code: str):
    require(request.user, "org.view")
    group = get_object_or_404(selectors.groups_visible_to(request.user), code=_key(code))
    return serializers.group(group, _visible_ids(request.user))
