from django.core.management.base import BaseCommand
from django.utils import timezone

from chuangwen.workdays.services import calendar_seed


class Command(BaseCommand):
    help = "Load the published holiday and make-up working-day arrangements (idempotent)."

    def add_arguments(self, parser):
        this_year = timezone.localdate().year
        parser.add_argument("years", nargs="*", type=int, default=[this_year - 1, this_year, this_year + 1])

    def handle(self, *args, **options):
        added = calendar_seed(years=options["years"])
        self.stdout.write(f"工作日历:新增 {added} 天(年份 {', '.join(map(str, options['years']))})。")
