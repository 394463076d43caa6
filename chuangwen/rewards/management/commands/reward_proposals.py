from datetime import date

from django.core.management.base import BaseCommand, CommandError

from chuangwen.rewards.jobs import propose


class Command(BaseCommand):
    help = ("按奖惩规则提出建议:对已定榜、尚未运行过排名规则的考评周期运行一次排名规则(红榜、黑榜),"
            "并按任务规则(任务定奖惩、严重逾期)提出建议。只提出建议,由指挥部办公室确认;可重复运行,"
            "同一事项只提出一次。")

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="按这一天计算任务逾期 YYYY-MM-DD(默认今天)")

    def handle(self, *args, day=None, **options):
        try:
            today = date.fromisoformat(day) if day else None
        except ValueError as exc:
            raise CommandError(f"--date 须为 YYYY-MM-DD:{day}") from exc
        counts = propose(today=today)
        self.stdout.write(
            f"奖惩建议:运行考评周期 {counts['periods']} 个,按排名提出 {counts['period_proposals']} 条,"
            f"按任务提出 {counts['task_proposals']} 条。"
        )
