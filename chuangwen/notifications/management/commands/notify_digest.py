from datetime import date

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from chuangwen.notifications.channels import configured_channels
from chuangwen.notifications.services import send_digests


class Command(BaseCommand):
    help = "发送每日通知汇总:每人每个外部渠道每天至多一条(可重复运行,同一天不会重复发送)。"

    def add_arguments(self, parser):
        parser.add_argument("--day", help="汇总日期 YYYY-MM-DD(默认今天)")
        parser.add_argument("--channel", action="append", dest="channels",
                            help="只用这个渠道(可多次给出;默认 CHUANGWEN_NOTIFY_CHANNELS)")

    def handle(self, *args, day=None, channels=None, **options):
        try:
            day = date.fromisoformat(day) if day else None
        except ValueError as exc:
            raise CommandError(f"--day 须为 YYYY-MM-DD:{day}") from exc
        try:
            names = [c.name for c in configured_channels(channels) if c.delivers]
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if not names:
            self.stdout.write("未配置外部通知渠道(CHUANGWEN_NOTIFY_CHANNELS),仅站内通知,无需汇总。")
            return
        sent = send_digests(day=day, channels=channels)
        self.stdout.write(f"通知汇总:发送 {sent} 条(渠道 {', '.join(names)})。")
