from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chuangwen.backup.archive import BackupError, create_backup


class Command(BaseCommand):
    help = "Write one backup archive: database, uploaded files, audit chain head and key fingerprint."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="archive path (default: var/backups/chuangwen-<time>.tar.gz)")

    def handle(self, *args, **options):
        try:
            path = create_backup(output=Path(options["output"]) if options["output"] else None)
        except (BackupError, OSError) as exc:
            raise CommandError(f"备份失败:{exc}") from exc
        self.stdout.write(f"备份完成:{path}")
