from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from chuangwen.backup.archive import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty installation (stop the server first), then verify "
        "every table's row count and checksum and the audit chain."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, **options):
        archive = Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"找不到备份文件:{archive}")
        try:
            report = restore_backup(archive)
        except (BackupError, OSError) as exc:
            raise CommandError(f"恢复失败:{exc}") from exc
        call_command("audit_verify", stdout=self.stdout)
        self.stdout.write(
            f"恢复完成:{report['tables']} 张表共 {report['rows']} 行与备份一致,"
            f"{report['files']} 个附件,{report['audit_archive_files']} 个审计归档文件,审计链完整。"
        )
