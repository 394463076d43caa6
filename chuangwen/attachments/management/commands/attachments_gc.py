from datetime import timedelta

from django.core.management.base import BaseCommand

from chuangwen.attachments.services import cleanup_orphans


class Command(BaseCommand):
    help = "删除没有任何附件记录引用的文件(事务回滚留下的),只删最后写入超过指定时间的(默认 24 小时)。"

    def add_arguments(self, parser):
        parser.add_argument("--older-than-hours", type=int, default=24, help="只删除早于此时数的文件(至少 1)。")
        parser.add_argument("--dry-run", action="store_true", help="只列出将被删除的文件,不做修改。")

    def handle(self, *args, older_than_hours=24, dry_run=False, **options):
        hours = max(1, older_than_hours)
        removed = cleanup_orphans(older_than=timedelta(hours=hours), dry_run=dry_run)
        for name in removed:
            self.stdout.write(f"{'将删除' if dry_run else '已删除'} {name}")
        self.stdout.write(f"无主附件文件:{len(removed)} 个{'(未修改)' if dry_run else '已删除'}。")
