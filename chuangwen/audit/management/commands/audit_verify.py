from django.core.management.base import BaseCommand, CommandError

from chuangwen.audit.chain import key_fingerprint, verify


class Command(BaseCommand):
    help = "Verify the audit chain; exit 1 naming the first entry that was changed, deleted or inserted."

    def handle(self, *args, **options):
        result = verify()
        if not result.ok:
            raise CommandError(f"审计链校验失败:{result.problem}(已校验 {result.checked} 条)")
        self.stdout.write(f"审计链完整:共 {result.checked} 条记录,密钥指纹 {key_fingerprint()}")
