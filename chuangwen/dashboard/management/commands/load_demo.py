"""`load_demo` (`chuangwen demo`): the demo city (chuangwen.org.demo), its sites and shops' zones
(chuangwen.places.demo), then its campaign plan (chuangwen.tasks.demo).  It lives in dashboard,
the bottom app, because it needs them all: org may not import places or tasks."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from chuangwen.api.open311.demo import ensure_demo_key
from chuangwen.evaluation.demo import DemoEvaluationRefused, load_demo_evaluation
from chuangwen.org.demo import DemoRefused, format_table, load
from chuangwen.places.demo import DemoSitesRefused, demo_counts, load_demo_sites
from chuangwen.problems.demo import DemoProblemsRefused, load_demo_problems
from chuangwen.rewards.demo import DemoRewardsRefused, load_demo_rewards
from chuangwen.supervision.demo import DemoSupervisionRefused, load_demo_supervision
from chuangwen.tasks.demo import DemoPlanRefused, load_demo_plan
from chuangwen.tasks.models import Plan

# Who to log in as to follow the task chain (任务督办), printed under the accounts table.
TASK_GUIDE = """\
任务督办演示:hq_director 验收交账、审批延期(我的任务);mayor 看挂钩任务和三色督办;vice_mayor 看优良秩序组;
district_head 验收街道和社区交账;community_head 交账并验收门店交账;community_liaison 签收任务、报送进度。
问题整改演示:hq_director 在调度台交办、审批延期;community_liaison 签收整改;inspector 在“待我复查”复查销号;
市民随手拍无需登录(/report/)。考评与奖惩:hq_director 查看排名、确认奖惩建议;公开红黑榜 /honours/。"""

# The layers built on the city, its sites and its plan, in order: each reads the ones before
# (evaluation scores the problems and tasks; rewards follow from the finalised rankings).
LAYERS = [
    ("问题整改记录", load_demo_problems, DemoProblemsRefused),
    ("督查督办记录(批示、会议、视察)", load_demo_supervision, DemoSupervisionRefused),
    ("考评结果(最近三个月已定榜)", load_demo_evaluation, DemoEvaluationRefused),
    ("奖惩记录(红黑榜)", load_demo_rewards, DemoRewardsRefused),
]

OPEN311_NOTES = {
    "issued": "已签发 Open311 演示密钥(12345 热线),见 {path} 中的 open311 client 行。",
    "reissued": "Open311 演示密钥已重新签发(原密钥已吊销),见 {path} 中的 open311 client 行。",
    "present": "Open311 演示密钥已签发,未做改动(见 {path} 中的 open311 client 行)。",
}


class Command(BaseCommand):
    help = ("加载演示城市、演示点位和演示工作方案(只加载一次;再次运行只显示演示账号)并把演示账号写入 "
            "var/demo-accounts.txt。")

    def add_arguments(self, parser):
        parser.add_argument("--reset-passwords", action="store_true",
                            help="为演示账号重新生成密码并重写账号文件。")

    def handle(self, *args, reset_passwords=False, **options):
        try:
            result = load(reset=reset_passwords)
        except DemoRefused as exc:
            # Not an error: `make run` on an installation with real data goes on to serve it.
            self.stderr.write(f"未加载演示城市:{exc}")
            return
        except ValidationError as exc:
            raise CommandError("演示城市加载失败,已全部回滚:" + ";".join(exc.messages)) from exc
        notes = {
            "loaded": f"已加载演示城市:{result.city}。",
            "present": f"演示城市 {result.city} 已加载,未做改动。",
            "reset": f"演示城市 {result.city} 已加载;已为演示账号重新生成密码。",
        }
        self.stdout.write(notes[result.status])
        try:
            status = load_demo_sites()
        except DemoSitesRefused as exc:
            self.stderr.write(f"未加载演示点位:{exc}")
        except ValidationError as exc:
            raise CommandError("演示点位加载失败,已全部回滚:" + ";".join(exc.messages)) from exc
        else:
            sites, zones = demo_counts()
            if status == "loaded":
                self.stdout.write(f"已加载演示点位:{sites} 个点位,{zones} 个门前五包责任区。")
            else:
                self.stdout.write(f"演示点位已加载({sites} 个点位),未做改动。")
        plan = None
        try:
            status = load_demo_plan()
        except DemoPlanRefused as exc:
            self.stderr.write(f"未加载演示工作方案:{exc}")
        except ValidationError as exc:
            raise CommandError("演示工作方案加载失败,已全部回滚:" + ";".join(exc.messages)) from exc
        else:
            plan = Plan.objects.order_by("id").first()
            if status == "loaded":
                self.stdout.write(f"已加载演示工作方案:{plan.title}({plan.tasks.count()} 项任务)。")
            else:
                self.stdout.write(f"演示工作方案 {plan.title} 已加载,未做改动。")
        for name, load_layer, refused in LAYERS:
            self.optional(name, load_layer, refused)
        # The 12345 hotline's Open311 key, as `open311 client <key>` in the accounts file.
        open311 = ensure_demo_key()
        if open311 != "skipped":
            self.stdout.write(OPEN311_NOTES[open311].format(path=result.path))
        self.stdout.write(format_table(result.accounts, city=result.city, path=result.path))
        if plan is not None:
            self.stdout.write(TASK_GUIDE)

    def optional(self, name: str, load, refused) -> str | None:
        """One more demo layer: loaded once (all or nothing), skipped with a note when refused."""
        try:
            status = load()
        except refused as exc:
            self.stderr.write(f"未加载演示{name}:{exc}")
            return None
        except ValidationError as exc:
            raise CommandError(f"演示{name}加载失败,已全部回滚:" + ";".join(exc.messages)) from exc
        self.stdout.write(f"已加载演示{name}。" if status == "loaded" else f"演示{name}已加载,未做改动。")
        return status
