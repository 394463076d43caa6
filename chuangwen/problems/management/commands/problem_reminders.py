from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from chuangwen.problems.jobs import remind


class Command(BaseCommand):
    help = ("发送问题整改的三色督办提醒(蓝色、黄色催办责任单位,红色督办并报挂钩领导)。可重复运行:"
            "同一问题同一颜色在同一整改时限下只提醒一次;延期获批后按新时限重新计算。")

    def add_arguments(self, parser):
        parser.add_argument("--at", help="按这一时刻计算颜色 YYYY-MM-DDTHH:MM(本地时间,默认现在)")

    def handle(self, *args, at=None, **options):
        now = None
        if at:
            try:
                now = timezone.make_aware(datetime.fromisoformat(at))
            except ValueError as exc:
                raise CommandError(f"--at 须为 YYYY-MM-DDTHH:MM:{at}") from exc
        counts = remind(now=now)
        self.stdout.write(
            f"问题督办提醒:红色督办 {counts['red']} 件,黄色催办 {counts['yellow']} 件,"
            f"蓝色催办 {counts['blue']} 件,发出通知 {counts['notifications']} 条。"
        )
