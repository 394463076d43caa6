"""The demo city's supervision ledger (督查督办): five leaders' instructions (two closed, one not
yet split), a meeting of each type with its decisions, and two deputies' visits with findings.
Loaded by `load_demo` after the demo city, its sites and its campaign plan (the plan's loader
refuses to load beside another plan, so this one comes last).

Every change goes through the services, done by the people who would do it: the HQ office's
综合协调科 records and splits and closes, the lead units' liaisons sign for and report, their
heads hand in (交账), the HQ office's director accepts.  Instructions, meetings and visits carry
their own (past) dates; the task steps are stamped with the time of loading, and every task's
deadline lies ahead, so nothing here is overdue on the day it is loaded.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chuangwen.accounts.models import User
from chuangwen.org.demo import data as city
from chuangwen.org.models import Post, Unit
from chuangwen.places.models import Site
from chuangwen.problems.models import Category
from chuangwen.tasks import services as tasks
from chuangwen.tasks.models import Plan, Task

from . import services
from .models import Decision, Instruction, Meeting, Visit

CLERK = "hq.coordination"  # 综合协调科: records, splits, closes
DIRECTOR = "hq_director"  # 主任: accepts the units' handovers (一级负责: head to head)

# What becomes of a task in the story: issued only, signed for, reported half-way, or done
# (reported, handed in and accepted).
ISSUED, SIGNED, HALF, DONE = "issued", "signed", "half", "done"


@dataclass(frozen=True)
class Item:
    days_ago: int
    who: str  # the leader (instructions) or the chair (meetings), by username
    title: str
    text: str
    units: tuple = ()  # ((unit code, fate), ...): one task each; empty: not split yet
    close: bool = False


INSTRUCTIONS = [
    Item(40, "party_secretary", "关于东关大街沿街商户门前五包落实情况的批示",
         "门前五包是创文的基础工作,请凤鸣区和市城管局联合整治,一个月内见实效。",
         (("Q01", DONE), ("D12", DONE)), close=True),
    Item(25, "mayor", "关于背街小巷路灯不亮问题的批示", "请市住建局两周内全面排查修复,结果报我。",
         (("D11", DONE),), close=True),
    Item(15, "deputy_secretary", "关于农贸市场环境卫生问题的批示",
         "农贸市场是测评重点,请市市场监管局牵头、龙泉区配合,限期整改到位。", (("D19", DONE), ("Q02", HALF))),
    Item(7, "vice_mayor_urban", "关于公交站台公益广告破损的批示", "请市交通运输局立即更换破损公益广告。",
         (("D13", ISSUED),)),
    Item(2, "mayor", "关于《创文工作简报》第12期的批示", "简报反映的问题要逐条建立台账,挂图作战。"),
]

# (kind, days ago, chair, title, place, [(decision, ((unit code, fate), ...), close)])
MEETINGS = [
    ("standing", 50, "party_secretary", "市委常委会研究部署创文工作", "市委常委会议室", [
        ("将创文工作纳入各县区和市直部门年度目标考核。", (("Q01", DONE), ("Q02", DONE)), True),
        ("各县区党委书记为本辖区创文第一责任人,每月专题研究一次。", (("D02", SIGNED),), False),
    ]),
    ("topic", 30, "mayor", "创文工作专题会议", "市政府第一会议室", [
        ("开展背街小巷整治三个月攻坚行动。", (("D12", HALF),), False),
        ("建筑工地围挡公益广告全覆盖。", (("D11", DONE),), True),
    ]),
    ("onsite", 20, "mayor", "东关大街改造提升现场办公会", "东关大街", [
        ("东关大街人行道破损路面限期修复。", (("D11", ISSUED),), False),
        ("规范沿街商户占道经营,落实门前五包。", (("Q01", SIGNED),), False),
    ]),
    ("dispatch", 5, DIRECTOR, "创文工作第8次调度会", "指挥部办公室", [
        ("各成员单位每周五报送整改进度。", (), False),
    ]),
]

# (kind, days ago, title, members, sites by name, summary, [(category, site name or None, description,
#  raised by, assign at once)])
VISITS = [
    ("npc", 35, "市人大代表视察创文工作", "市人大常委会副主任及市人大代表12人", ("南街农贸市场", "西街三巷"),
     "代表们肯定了创文工作成效,指出农贸市场和背街小巷仍有短板。", [
         ("SJ0101", "南街农贸市场", "市场东门外垃圾堆放,无人清运。", "王代表", True),
         ("BJ0102", "西街三巷", "西街三巷路灯多处不亮,夜间通行不便。", "李代表", False),
         ("SJ0401", "南街农贸市场", "市场周边占道经营现象反复。", "赵代表", False),
     ]),
    ("cppcc", 10, "市政协委员视察公共服务设施", "市政协副主席及政协委员8人", ("紫金路公共厕所", "东关大街人民路口公交站"),
     "委员们建议加强公厕日常保洁和公交站台维护。", [
         ("BJ0301", "紫金路公共厕所", "公厕洗手液缺失,地面湿滑。", "孙委员", True),
         ("BJ0202", "东关大街人民路口公交站", "公交站亭顶棚破损。", "周委员", False),
     ]),
]


class DemoSupervisionRefused(Exception):
    """The database is not the demo city this ledger is written for."""


class _Story:
    def __init__(self, today: date):
        self.today = today
        self.people = {u.username: u for u in User.objects.filter(username__in=[
            CLERK, DIRECTOR, "deputy", *{i.who for i in INSTRUCTIONS}, *{m[2] for m in MEETINGS}])}
        self.units = {u.code: u for u in Unit.objects.all()}
        self.clerk = self.people[CLERK]

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def deadline(self, n: int) -> date:
        # Spread over the coming weeks; never in the past (a task cannot be issued late).
        return self.today + timedelta(days=14 + 7 * (n % 4))

    def person_of(self, code: str, *, head: bool) -> User:
        posts = Post.objects.current().filter(unit__code=code).select_related("person").order_by("id")
        post = posts.filter(is_head=True) if head else posts.filter(is_liaison=True)
        post = post.first() or posts.first()
        if post is None:
            raise DemoSupervisionRefused(f"演示城市中{code}没有在任人员。")
        return post.person

    def play(self, task: Task, fate: str) -> None:
        """Move one task as far as its fate says, by the lead unit's people and HQ's director."""
        code = task.lead_unit.code
        if fate == ISSUED:
            return
        liaison, head = self.person_of(code, head=False), self.person_of(code, head=True)
        task = tasks.task_sign_for(task=task, actor=liaison)
        if fate == SIGNED:
            return
        percent = 100 if fate == DONE else 50
        tasks.progress_report(task=task, actor=liaison, percent=percent,
                              text="已完成整改" if fate == DONE else "已完成排查,正在整改",
                              next_steps="" if fate == DONE else "按期完成剩余整改")
        if fate == DONE:
            task = Task.objects.get(pk=task.pk)
            tasks.handover_submit(task=task, actor=head, summary="整改已全部完成,佐证材料已归档。")
            tasks.handover_accept(task=task, actor=self.people[DIRECTOR], note="验收通过")

    def split(self, item, split_service, field: str, default_fixes, units, n: int) -> None:
        if not units:
            return
        created = split_service(**{field: item}, units=[self.units[c] for c, _ in units], actor=self.clerk,
                                fixes=default_fixes(item, self.deadline(n)))
        for task, (_, fate) in zip(created, units, strict=True):
            self.play(task, fate)

    def instructions(self) -> None:
        for n, spec in enumerate(INSTRUCTIONS):
            doc_number = f"{settings.CITY_NAME[0]}创文办呈〔{self.today.year}〕{n + 3}号"
            item = services.instruction_create(leader=self.people[spec.who], date=self.day(spec.days_ago),
                                               title=spec.title, text=spec.text, actor=self.clerk,
                                               doc_number=doc_number)
            self.split(item, services.instruction_split, "instruction", services.instructions.default_fixes,
                       spec.units, n)
            if spec.close:
                services.instruction_close(instruction=Instruction.objects.get(pk=item.pk), actor=self.clerk,
                                           note="各承办单位均已完成并经验收,已向领导报告办理结果。")

    def meetings(self) -> None:
        for n, (kind, days_ago, chair, title, place, decisions) in enumerate(MEETINGS):
            meeting = services.meeting_create(kind=kind, date=self.day(days_ago), title=title,
                                              chair=self.people[chair], place=place, actor=self.clerk,
                                              attendees="市四套班子有关领导,各县区、市直有关部门主要负责人",
                                              decisions=[text for text, _, _ in decisions])
            rows = zip(meeting.decisions.order_by("number"), decisions, strict=True)
            for decision, (_, units, close) in rows:
                self.split(decision, services.decision_split, "decision", services.meetings.default_fixes,
                           units, n + decision.number)
                if close:
                    services.decision_close(decision=Decision.objects.get(pk=decision.pk),
                                            actor=self.clerk, note="议定事项已落实,经验收合格。")

    def visits(self) -> None:
        categories = {c.code: c for c in Category.objects.all()}
        sites = {s.name: s for s in Site.objects.all()}
        for kind, days_ago, title, members, site_names, summary, findings in VISITS:
            visit = services.visit_create(kind=kind, date=self.day(days_ago), title=title, members=members,
                                          member_people=[self.people["deputy"]] if kind == "npc" else [],
                                          sites=[sites[name] for name in site_names], summary=summary,
                                          actor=self.clerk)
            for category, site_name, description, raised_by, assign in findings:
                site = sites[site_name]
                services.finding_report(visit=visit, description=description, category=categories[category],
                                        site=site, raised_by=raised_by, actor=self.clerk,
                                        assign_to=site.responsible_unit if assign else None)


def _check() -> None:
    if not Unit.objects.filter(code=city.CITY_CODE).exists():
        raise DemoSupervisionRefused("演示城市未加载。")
    if not Plan.objects.filter(title__startswith=f"{settings.CITY_NAME}创建全国文明城市").exists():
        raise DemoSupervisionRefused("请先加载演示工作方案(督办任务的年度方案须在其后建立)。")
    names = {n for v in VISITS for n in v[4]}
    if Site.objects.filter(name__in=names).count() < len(names):
        raise DemoSupervisionRefused("演示点位未加载。")
    missing = {CLERK, DIRECTOR, "deputy"} - set(User.objects.filter(username__in=[CLERK, DIRECTOR, "deputy"])
                                                .values_list("username", flat=True))
    if missing:
        raise DemoSupervisionRefused("演示城市缺少账号:" + "、".join(sorted(missing)))
    codes = {f[0] for v in VISITS for f in v[6]}
    if Category.objects.filter(code__in=codes, is_active=True).count() < len(codes):
        raise DemoSupervisionRefused("问题类别目录中缺少或停用了视察发现问题所用的类别。")


def load_demo_supervision(*, today: date | None = None) -> str:
    """Load the demo ledger in one transaction (all or nothing).  Returns "loaded", or "present"
    when any instruction, meeting or visit exists already (nothing is done: the demo is never
    mixed into real records).  Raises DemoSupervisionRefused when the demo city, its sites or
    its plan are missing."""
    if Instruction.objects.exists() or Meeting.objects.exists() or Visit.objects.exists():
        return "present"
    _check()
    with transaction.atomic():
        story = _Story(today or timezone.localdate())
        story.instructions()
        story.meetings()
        story.visits()
    return "loaded"
