"""Instructions (批示), meetings and decisions (议定事项), deputies' visits (视察) and the
supervision ledger (督办台账).

Each endpoint is an adapter: the verb (`supervision.view` to read, `supervision.manage` to
write), the object through the scope rule (out of scope is 404, never 403), then one service
(422 with a Chinese message when it refuses; a stale `version` is 409).  Reads use the same
selectors as the pages, so a figure is the same on both.
"""

from decimal import Decimal
from typing import Annotated

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Status

from chuangwen.org.models import Unit, WorkGroup
from chuangwen.org.permissions import require
from chuangwen.places.models import Site
from chuangwen.problems.models import Category
from chuangwen.problems.selectors_pages import DISTRICT_KINDS
from chuangwen.supervision import selectors, services
from chuangwen.supervision.ledger import ledger as ledger_of
from chuangwen.tasks.models import RewardPolicy

from . import supervision_schemas as schemas
from . import supervision_serializers as serializers
from .common import ERRORS, WRITE_ERRORS, PageParams, Text, path_id
from .pagination import page

router = Router(tags=["督查督办"])
VIEW, MANAGE = "supervision.view", "supervision.manage"
Year = Annotated[int, Field(ge=2000, le=2100)]


# --- references by code -------------------------------------------------------------------------


def _person(username: str, label: str):
    person = get_user_model().objects.filter(username=username, is_active=True).first()
    if person is None:
        raise ValidationError(f"{label}“{username}”不存在或已停用。")
    return person


def _by_codes(qs, codes: list[str], label: str) -> list:
    found = {obj.code: obj for obj in qs.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(f"以下{label}不存在:" + "、".join(unknown))
    return [found[c] for c in dict.fromkeys(codes)]


def _one(qs, code: str | None, label: str):
    return _by_codes(qs, [code], label)[0] if code else None


def _fixes(payload: schemas.SplitIn, default) -> services.Fixes:
    fixes = default
    fixes.deadline = payload.deadline
    for name in ("title", "content", "standard", "criteria"):
        value = getattr(payload, name)
        if value is not None:
            setattr(fixes, name, value)
    if payload.points is not None:
        fixes.points = Decimal(str(payload.points))
    fixes.policy = _one(RewardPolicy.objects.filter(is_active=True), payload.policy, "奖惩规则")
    fixes.work_group = _one(WorkGroup.objects.all(), payload.work_group, "工作组")
    return fixes


def _units(codes: list[str]) -> list[Unit]:
    return _by_codes(Unit.objects.active(), codes, "单位编码")


# --- instructions --------------------------------------------------------------------------------


def _instruction(user, id: int):
    qs = selectors.instructions_visible_to(user).select_related("closed_by")
    return get_object_or_404(qs, pk=path_id(id))


def _instruction_detail(user, item) -> dict:
    tasks = selectors.item_stage(user, item)["tasks"]
    return serializers.instruction_detail(item, tasks)


@router.get("/supervision/instructions", response={200: schemas.InstructionPage, **ERRORS}, summary="领导批示台账",
            description="按登记先后排序;`task_total`/`task_accepted` 只计令牌持有人可见的任务。")
def list_instructions(request, params: Query[PageParams], year: Year | None = None,
                      status: schemas.ItemStatusValue | None = None, q: Text | None = None):
    require(request.user, VIEW)
    qs = selectors.instructions_visible_to(request.user)
    if year:
        qs = qs.filter(date__year=year)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(leader_name__icontains=q) | Q(doc_number__icontains=q))
    return page(selectors.with_progress(qs, request.user), key="id", after=params.after, limit=params.limit,
                serialize=serializers.instruction_item)


@router.get("/supervision/instructions/{id}", response={200: schemas.InstructionDetail, **ERRORS},
            summary="批示详情", description="批示、办结情况和分解的督办任务。")
def get_instruction(request, id: int):
    require(request.user, VIEW)
    return _instruction_detail(request.user, _instruction(request.user, id))


@router.post("/supervision/instructions", response={201: schemas.InstructionDetail, **WRITE_ERRORS},
             summary="登记批示")
def create_instruction(request, payload: schemas.InstructionIn):
    require(request.user, MANAGE)
    item = services.instruction_create(leader=_person(payload.leader, "批示领导"), date=payload.date,
                                       title=payload.title, text=payload.text, doc_number=payload.doc_number,
                                       actor=request.user)
    return Status(201, _instruction_detail(request.user, _instruction(request.user, item.pk)))


@router.post("/supervision/instructions/{id}/tasks",
             response={201: schemas.InstructionDetail, **WRITE_ERRORS}, summary="批示分解任务",
             description="每个承办单位一项五定任务,缺省立即下达;五定未到位时整体拒绝。")
def split_instruction(request, id: int, payload: schemas.SplitIn):
    require(request.user, MANAGE)
    item = _instruction(request.user, id)
    fixes = _fixes(payload, services.instructions.default_fixes(item))
    services.instruction_split(instruction=item, units=_units(payload.units), fixes=fixes,
                               issue=payload.issue, expected_version=payload.version, actor=request.user)
    return Status(201, _instruction_detail(request.user, _instruction(request.user, id)))


@router.post("/supervision/instructions/{id}/close",
             response={200: schemas.InstructionDetail, **WRITE_ERRORS}, summary="批示办结",
             description="全部任务验收后方可办结。")
def close_instruction(request, id: int, payload: schemas.CloseIn):
    require(request.user, MANAGE)
    item = _instruction(request.user, id)
    services.instruction_close(instruction=item, note=payload.note, expected_version=payload.version,
                               actor=request.user)
    return _instruction_detail(request.user, _instruction(request.user, id))


# --- meetings and decisions ----------------------------------------------------------------------


def _meeting(user, id: int):
    return get_object_or_404(selectors.with_decision_counts(selectors.meetings_visible_to(user), user),
                             pk=path_id(id))


def _meeting_detail(user, meeting) -> dict:
    return serializers.meeting_detail(meeting, selectors.meeting_decisions(user, meeting))


def _decision(user, id: int):
    return get_object_or_404(selectors.decisions_visible_to(user).select_related("meeting"), pk=path_id(id))


def _decision_detail(user, decision) -> dict:
    return serializers.decision_detail(decision, selectors.item_stage(user, decision)["tasks"])


@router.get("/supervision/meetings", response={200: schemas.MeetingPage, **ERRORS}, summary="会议台账")
def list_meetings(request, params: Query[PageParams], year: Year | None = None,
                  kind: schemas.MeetingKindValue | None = None, q: Text | None = None):
    require(request.user, VIEW)
    qs = selectors.meetings_visible_to(request.user)
    if year:
        qs = qs.filter(date__year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(chair_name__icontains=q))
    return page(selectors.with_decision_counts(qs, request.user), key="id", after=params.after,
                limit=params.limit, serialize=serializers.meeting_item)


@router.get("/supervision/meetings/{id}", response={200: schemas.MeetingDetail, **ERRORS}, summary="会议详情",
            description="会议和令牌持有人可见的议定事项(各含督办任务)。")
def get_meeting(request, id: int):
    require(request.user, VIEW)
    return _meeting_detail(request.user, _meeting(request.user, id))


@router.post("/supervision/meetings", response={201: schemas.MeetingDetail, **WRITE_ERRORS}, summary="登记会议")
def create_meeting(request, payload: schemas.MeetingIn):
    require(request.user, MANAGE)
    meeting = services.meeting_create(kind=payload.kind, date=payload.date, title=payload.title,
                                      chair=_person(payload.chair, "主持人"), attendees=payload.attendees,
                                      place=payload.place, doc_number=payload.doc_number,
                                      decisions=payload.decisions, actor=request.user)
    return Status(201, _meeting_detail(request.user, _meeting(request.user, meeting.pk)))


@router.post("/supervision/meetings/{id}/decisions", response={201: schemas.DecisionDetail, **WRITE_ERRORS},
             summary="添加议定事项")
def add_decision(request, id: int, payload: schemas.DecisionIn):
    require(request.user, MANAGE)
    meeting = _meeting(request.user, id)
    decision = services.decision_add(meeting=meeting, text=payload.text, actor=request.user)
    return Status(201, _decision_detail(request.user, _decision(request.user, decision.pk)))


@router.get("/supervision/decisions/{id}", response={200: schemas.DecisionDetail, **ERRORS},
            summary="议定事项详情")
def get_decision(request, id: int):
    require(request.user, VIEW)
    return _decision_detail(request.user, _decision(request.user, id))


@router.post("/supervision/decisions/{id}/tasks", response={201: schemas.DecisionDetail, **WRITE_ERRORS},
             summary="议定事项分解任务")
def split_decision(request, id: int, payload: schemas.SplitIn):
    require(request.user, MANAGE)
    decision = _decision(request.user, id)
    fixes = _fixes(payload, services.meetings.default_fixes(decision))
    services.decision_split(decision=decision, units=_units(payload.units), fixes=fixes, issue=payload.issue,
                            expected_version=payload.version, actor=request.user)
    return Status(201, _decision_detail(request.user, _decision(request.user, id)))


@router.post("/supervision/decisions/{id}/close", response={200: schemas.DecisionDetail, **WRITE_ERRORS},
             summary="议定事项办结", description="全部任务验收后方可办结。")
def close_decision(request, id: int, payload: schemas.CloseIn):
    require(request.user, MANAGE)
    services.decision_close(decision=_decision(request.user, id), note=payload.note,
                            expected_version=payload.version, actor=request.user)
    return _decision_detail(request.user, _decision(request.user, id))


# --- visits --------------------------------------------------------------------------------------


def _visit(user, id: int):
    qs = selectors.with_finding_counts(selectors.visits_visible_to(user), user)
    return get_object_or_404(qs, pk=path_id(id))


def _visit_detail(user, visit) -> dict:
    return serializers.visit_detail(visit, sites=list(selectors.visit_sites(user, visit)),
                                    findings=selectors.visit_findings(user, visit))


@router.get("/supervision/visits", response={200: schemas.VisitPage, **ERRORS}, summary="视察记录")
def list_visits(request, params: Query[PageParams], year: Year | None = None,
                kind: schemas.VisitKindValue | None = None):
    require(request.user, VIEW)
    qs = selectors.visits_visible_to(request.user)
    if year:
        qs = qs.filter(date__year=year)
    if kind:
        qs = qs.filter(kind=kind)
    return page(selectors.with_finding_counts(qs, request.user), key="id", after=params.after,
                limit=params.limit, serialize=serializers.visit_item)


@router.get("/supervision/visits/{id}", response={200: schemas.VisitDetail, **ERRORS}, summary="视察详情",
            description="视察和令牌持有人可见的发现问题(各为问题整改中的一个问题)。")
def get_visit(request, id: int):
    require(request.user, VIEW)
    return _visit_detail(request.user, _visit(request.user, id))


@router.post("/supervision/visits", response={201: schemas.VisitDetail, **WRITE_ERRORS}, summary="登记视察")
def create_visit(request, payload: schemas.VisitIn):
    require(request.user, MANAGE)
    people = [_person(u, "参加人员账号") for u in dict.fromkeys(payload.member_usernames)]
    sites = _by_codes(Site.objects.all(), payload.sites, "点位")
    visit = services.visit_create(kind=payload.kind, date=payload.date, title=payload.title,
                                  members=payload.members, member_people=people, sites=sites,
                                  summary=payload.summary, actor=request.user)
    return Status(201, _visit_detail(request.user, _visit(request.user, visit.pk)))


@router.post("/supervision/visits/{id}/findings", response={201: schemas.VisitDetail, **WRITE_ERRORS},
             summary="登记视察发现的问题", description="问题进入问题整改(来源:人大政协视察);返回视察详情。")
def add_finding(request, id: int, payload: schemas.FindingIn):
    require(request.user, MANAGE)
    visit = _visit(request.user, id)
    services.finding_report(
        visit=visit, description=payload.description,
        category=_one(Category.objects.filter(is_active=True), payload.category, "问题类别"),
        severity=payload.severity, site=_one(Site.objects.all(), payload.site, "点位"),
        district=_one(Unit.objects.active().filter(kind__in=DISTRICT_KINDS), payload.district, "区县"),
        address=payload.address,
        raised_by=payload.raised_by, assign_to=_one(Unit.objects.active(), payload.assign_to, "单位"),
        actor=request.user)
    return Status(201, _visit_detail(request.user, _visit(request.user, id)))


# --- the ledger ----------------------------------------------------------------------------------


@router.get("/supervision/ledger", response={200: schemas.Ledger, **ERRORS}, summary="督办台账",
            description="按来源、年度的次数与办结情况,及情况汇报用语;只计令牌持有人可见的记录。")
def get_ledger(request, year: Year | None = None):
    require(request.user, VIEW)
    return serializers.ledger(ledger_of(request.user, year=year))
