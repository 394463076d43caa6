"""Problems and their rectification loop (问题整改): 交办 → 整改 → 复查 → 销号.

Each endpoint is an adapter: the verb `problem.view` (`problem.report` to report), the problem
through the scope rule (`problems_visible_to`; out of scope is 404, never 403), the step's verb
and party (`problem.dispatch`, `problem.rectify` for the responsible unit, `problem.recheck`: 403),
then the service the problem page calls, which checks them again and whether the move is legal now
(422); a stale `version` is 409.
"""

from django.core.exceptions import ValidationError
from ninja import Query, Router, Status

from chuangwen.org.permissions import require
from chuangwen.problems import services
from chuangwen.problems.models import Category, ExtensionStatus, Problem
from chuangwen.problems.permissions import require_party
from chuangwen.problems.services.staff import problem_submit_with_photos
from chuangwen.problems.transitions import TRANSITIONS, Party

from . import problems_reads as reads
from . import problems_schemas as schemas
from . import problems_serializers as serializers
from .common import ERRORS, WRITE_ERRORS, PageParams
from .pagination import page
from .problems_bodies import submit_body, submit_request_body

router = Router(tags=["问题整改"])


# --- reads (the fixed paths before /problems/{number}, which would take them as numbers) ---------


@router.get(
    "/problems",
    response={200: schemas.ProblemPage, **ERRORS},
    summary="问题列表",
    description="最新的在前。`unit` 含该单位的全部下级单位;`colour` 为三色督办颜色(按工作时间计算,仅整改中的问题)。",
)
def list_problems(request, params: Query[PageParams], filters: Query[schemas.ProblemFilters]):
    require(request.user, "problem.view")
    qs = reads.filtered(request.user, filters)
    return reads.newest_first(qs, after=params.after, limit=params.limit, colour=filters.colour)


@router.get(
    "/problems/desk",
    response={200: schemas.ProblemDeskPage, **ERRORS},
    summary="待交办问题(派遣台)",
    description="新上报和被退回的问题,最新的在前,附派遣建议;与派遣台页面同一查询。",
)
def dispatch_desk(request, params: Query[PageParams], filters: Query[schemas.DeskFilters]):
    require(request.user, "problem.dispatch")
    return reads.desk(request.user, filters, after=params.after, limit=params.limit)


@router.get(
    "/problems/metrics",
    response={200: schemas.ProblemMetricsReport, **ERRORS},
    summary="问题整改指标",
    description="按责任单位、区县或类别汇总的按期结案率、结案率、返工率等(与统计页面同一查询),限令牌持有人的管理范围。",
)
def problem_metrics(request, params: Query[schemas.MetricsParams]):
    require(request.user, "problem.view")
    return reads.metrics(request.user, params)


@router.get(
    "/problems/{number}",
    response={200: schemas.ProblemDetail, **ERRORS},
    summary="问题详情",
    description="交办单、照片、办理记录、令牌持有人现在可办理的操作;市民的称呼和电话只显示脱敏后的内容。",
)
def get_problem(request, number: str):
    require(request.user, "problem.view")
    return reads.detail(request.user, reads.visible_problem(request.user, number))


@router.get(
    "/problem-categories",
    response={200: schemas.ProblemCategoryPage, **ERRORS},
    summary="问题类别",
    description="部件、事件类别及其处置时限,按编码排序。",
)
def list_categories(request, params: Query[PageParams], active: bool | None = None):
    require(request.user, "problem.view")
    qs = Category.objects.prefetch_related("limits")
    if active is not None:
        qs = qs.filter(is_active=active)
    return page(qs, key="code", after=params.after, limit=params.limit, serialize=serializers.category)


# --- report --------------------------------------------------------------------------------------


@router.post(
    "/problems",
    response={201: schemas.ProblemDetail, **WRITE_ERRORS},
    summary="上报问题",
    description="工作人员上报(督查、模拟测评等来源),JSON;接口上报不带照片,现场照片请在问题页面上传。"
    "返回新问题(待交办),附派遣建议。",
)
def report_problem(request, payload: schemas.ProblemReportIn):
    require(request.user, "problem.report")
    problem = services.problem_report(
        actor=request.user, source=payload.source, severity=payload.severity, description=payload.description,
        address=payload.address, **reads.report_places(request.user, payload),
    )
    return Status(201, reads.detail(request.user, reads.reread(problem)))


# --- the loop ------------------------------------------------------------------------------------


def _acting(request, number: str, action: str, *, label: str = "") -> Problem:
    """The problem through the scope, then the verb and party of `action`, as the service will
    check them: here, before any code in the body is looked up, and outside any transaction of
    this module, so the denial's audit entry outlives the refusal."""
    require(request.user, "problem.view")
    problem = reads.visible_problem(request.user, number)
    t = TRANSITIONS[action]
    require_party(request.user, problem, t.party, label or t.label)
    return problem


def _done(request, problem: Problem) -> dict:
    return reads.detail(request.user, reads.reread(problem))


@router.post(
    "/problems/{number}/assign",
    response={200: schemas.ProblemDetail, **WRITE_ERRORS},
    summary="交办",
    description="指挥部办公室交办至责任单位(不填则按派遣建议);整改时限按类别和严重程度从现在起算。",
)
def assign(request, number: str, payload: schemas.ProblemAssignIn):
    problem = _acting(request, number, "assign")
    unit = reads.unit_in_scope(request.user, payload.unit, label="责任单位") if payload.unit else None
    services.problem_assign(problem=problem, actor=request.user, unit=unit, severity=payload.severity,
                            expected_version=payload.version)
    return _done(request, problem)


@router.post(
    "/problems/{number}/accept",
    response={200: schemas.ProblemDetail, **WRITE_ERRORS},
    summary="签收整改",
    description="责任单位的负责人或联络员签收。",
)
def accept(request, number: str, payload: schemas.ProblemVersionIn | None = None):
    payload = payload or schemas.ProblemVersionIn()
    problem = _acting(request, number, "accept")
    services.problem_accept(problem=problem, actor=request.user, expected_version=payload.version)
    return _done(request, problem)


@router.post(
    "/problems/{number}/return",
    response={200: schemas.ProblemDetail, **WRITE_ERRORS},
    summary="退回",
    description="责任单位认为不属本单位职责,退回指挥部重新交办,须填写理由。退回后问题可能不在本单位的查看范围内。",
)
def return_problem(request, number: str, payload: schemas.ProblemReasonIn):
    problem = _acting(request, number, "return")
    services.problem_return(problem=problem, actor=request.user, reason=payload.reason,
                            expected_version=payload.version)
    return _done(request, problem)


@router.post(
    "/problems/{number}/submit",
    response={200: schemas.ProblemDetail, **WRITE_ERRORS},
    summary="整改完成",
    description="JSON `{\"note\": \"...\", \"version\": 3}`,或 multipart/form-data(字段 note、version,"
    "照片文件 photos,可多张)。须有整改后照片:本次上传,或此前已上传(如返工后再次报告)。",
    openapi_extra={"requestBody": submit_request_body()},
)
def submit(request, number: str):
    problem = _acting(request, number, "submit")
    payload, photos = submit_body(request)
    problem_submit_with_photos(problem=problem, actor=request.user, note=payload.note, photos=photos,
                               expected_version=payload.version)
    return _done(request, problem)


@router.post(
    "/problems/{number}/recheck",
    response={200: schemas.ProblemDetail, **WRITE_ERRORS},
    summary="复查",
    description="督查人员(非整改人)现场复查:通过则销号,未通过则返工(须填写 note)。",
)
def recheck(request, number: str, payload: schemas.ProblemRecheckIn):
    problem = _acting(request, number, "recheck_pass" if payload.passed else "recheck_fail")
    services.problem_recheck(problem=problem, actor=request.user, passed=payload.passed, note=payload.note,
                             expected_version=payload.version)
    return _done(request, problem)


@router.post(
    "/problems/{number}/park-request",
    response={200: schemas.ProblemDetail, **WRITE_ERRORS},
    summary="申请挂账",
    description="短期内无法解决的问题,责任单位书面说明理由,报指挥部审批。",
)
def park_request(request, number: str, payload: schemas.ProblemReasonIn):
    problem = _acting(request, number, "request_park")
    services.problem_request_park(problem=problem, actor=request.user, reason=payload.reason,
                                  expected_version=payload.version)
    return _done(request, problem)


@router.post(
    "/problems/{number}/park-decision",
    response={200: schemas.ProblemDetail, **WRITE_ERRORS},
    summary="挂账审批",
    description="指挥部办公室同意挂账,或不同意(须填写 note)并继续整改。",
)
def park_decision(request, number: str, payload: schemas.ProblemParkDecisionIn):
    action = "approve_park" if payload.approve else "reject_park"
    problem = _acting(request, number, action)
    services.problem_decide_park(problem=problem, actor=request.user, approve=payload.approve, note=payload.note,
                                 expected_version=payload.version)
    return _done(request, problem)


@router.post(
    "/problems/{number}/unpark",
    response={200: schemas.ProblemDetail, **WRITE_ERRORS},
    summary="恢复整改",
    description="指挥部办公室将已挂账的问题恢复整改。",
)
def unpark(request, number: str, payload: schemas.ProblemNoteIn | None = None):
    payload = payload or schemas.ProblemNoteIn()
    problem = _acting(request, number, "unpark")
    services.problem_unpark(problem=problem, actor=request.user, note=payload.note, expected_version=payload.version)
    return _done(request, problem)


@router.post(
    "/problems/{number}/void",
    response={200: schemas.ProblemDetail, **WRITE_ERRORS},
    summary="作废",
    description="指挥部办公室作废无效问题,须填写理由;重复问题请用合并。",
)
def void(request, number: str, payload: schemas.ProblemReasonIn):
    problem = _acting(request, number, "void")
    services.problem_void(problem=problem, actor=request.user, reason=payload.reason, expected_version=payload.version)
    return _done(request, problem)


@router.post(
    "/problems/{number}/merge",
    response={200: schemas.ProblemDetail, **WRITE_ERRORS},
    summary="合并重复问题",
    description="本问题作废并入 `into` 问题,由其继续办理;返回作废后的本问题。`version` 为本问题的版本号。",
)
def merge(request, number: str, payload: schemas.ProblemMergeIn):
    problem = _acting(request, number, "void", label="合并重复问题")
    into = reads.problem_in_scope(request.user, payload.into)
    services.problem_merge(duplicate=problem, into=into, actor=request.user, note=payload.note,
                           expected_version=payload.version)
    return _done(request, problem)


# --- extensions and the public reply (not status moves: the party is checked here the same way) --


def _party(request, number: str, party: str, label: str) -> Problem:
    require(request.user, "problem.view")
    problem = reads.visible_problem(request.user, number)
    require_party(request.user, problem, party, label)
    return problem


@router.post(
    "/problems/{number}/extension-request",
    response={200: schemas.ProblemDetail, **WRITE_ERRORS},
    summary="申请延期",
    description="责任单位在整改时限前申请延期(不超过 60 天),由指挥部办公室审批;同一问题同时只能有一件待审批的申请。",
)
def extension_request(request, number: str, payload: schemas.ProblemExtensionIn):
    problem = _party(request, number, Party.UNIT, "申请延期")
    services.problem_extension_request(problem=problem, actor=request.user, new_deadline=payload.new_deadline,
                                       reason=payload.reason, expected_version=payload.version)
    return _done(request, problem)


@router.post(
    "/problems/{number}/extension-decision",
    response={200: schemas.ProblemDetail, **WRITE_ERRORS},
    summary="延期审批",
    description="指挥部办公室审批该问题待审批的延期申请;同意则整改时限改为申请的时限(原定时限保留,考评按规定口径计算)。",
)
def extension_decision(request, number: str, payload: schemas.ProblemExtensionDecisionIn):
    problem = _party(request, number, Party.DISPATCH, "审批延期")
    pending = problem.extensions.filter(status=ExtensionStatus.PENDING).first()
    if pending is None:
        raise ValidationError("该问题没有待审批的延期申请。")
    services.problem_extension_decide(extension=pending, actor=request.user, approve=payload.approve,
                                      note=payload.note)
    return _done(request, problem)


@router.post(
    "/problems/{number}/reply",
    response={200: schemas.ProblemDetail, **WRITE_ERRORS},
    summary="公开答复",
    description="指挥部办公室发布公开答复,市民查询页和 Open311 的 status_notes 可见;新的答复替换原答复,原答复留在办理记录中。",
)
def reply(request, number: str, payload: schemas.ProblemReplyIn):
    problem = _party(request, number, Party.DISPATCH, "公开答复")
    services.problem_reply(problem=problem, actor=request.user, text=payload.text, expected_version=payload.version)
    return _done(request, problem)
