from django.core.management.base import BaseCommand

from chuangwen.api.jobs import expire_idempotency_records


class Command(BaseCommand):
    help = "删除超过 24 小时的幂等记录(接口 Idempotency-Key 重试所用的首次结果)。"

    def handle(self, *args, **options):
        self.stdout.write(f"过期幂等记录:已删除 {expire_idempotency_records()} 条。")
