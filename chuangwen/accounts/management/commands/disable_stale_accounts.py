from django.conf import settings
from django.core.management.base import BaseCommand

from chuangwen.accounts.jobs import disable_stale_accounts, stale_accounts


class Command(BaseCommand):
    help = "停用超过 ACCOUNT_STALE_DAYS 天未登录的账号(每个账号写一条审计记录)。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出将被停用的账号,不做修改。")

    def handle(self, *args, dry_run=False, **options):
        days = settings.ACCOUNT_STALE_DAYS
        if days <= 0:
            self.stdout.write("ACCOUNT_STALE_DAYS 未启用,未做任何修改。")
            return
        users = list(stale_accounts()) if dry_run else disable_stale_accounts()
        for user in users:
            self.stdout.write(f"{'将停用' if dry_run else '已停用'} {user.username} {user.full_name}")
        self.stdout.write(f"超过 {days} 天未登录的账号:{len(users)} 个{'(未修改)' if dry_run else '已停用'}。")
