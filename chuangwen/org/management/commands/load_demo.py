from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from chuangwen.org.demo import DemoRefused, format_table, load


class Command(BaseCommand):
    help = "加载演示城市(只加载一次;再次运行只显示演示账号)并把演示账号写入 var/demo-accounts.txt。"

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
        self.stdout.write(format_table(result.accounts, city=result.city, path=result.path))
