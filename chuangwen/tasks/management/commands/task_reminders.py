from datetime import date

from django.core.management.base import BaseCommand, CommandError

from chuangwen.tasks.jobs import remind


class Command(BaseCommand):
    help = ("发送三色督办提醒和节点临近提醒(可重复运行:同一任务同一颜色、同一节点只提醒一次;"
            "延期获批后按新时限重新计算)。")

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="按这一天计算颜色 YYYY-MM-DD(默认今天)")

    def handle(self, *args, day=None, **options):
        try:
            today = date.fromisoformat(day) if day else None
        except ValueError as exc:
            raise CommandError(f"--date 须为 YYYY-MM-DD:{day}") from exc
        counts = remind(today=today)
        self.stdout.write(
            f"督办提醒:红色 {counts['red']} 项,黄色 {counts['yellow']} 项,蓝色 {counts['blue']} 项,"
            f"节点临近 {counts['milestone']} 项,发出通知 {counts['notifications']} 条。"
        )

