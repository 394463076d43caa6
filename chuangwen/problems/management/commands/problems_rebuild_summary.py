from datetime import date

from django.core.management.base import BaseCommand, CommandError

from chuangwen.problems.metrics import recompute, summary_table
from chuangwen.problems.services.summary import summary_rebuild


class Command(BaseCommand):
    help = ("按原始问题记录重算问题统计表(按期结案率等指标的来源)。用于修复:程序缺陷、恢复旧数据或"
            "修改节假日安排之后。--check 只比较,不修改。")

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="起始日期 YYYY-MM-DD(含)")
        parser.add_argument("--end", required=True, help="截止日期 YYYY-MM-DD(含)")
        parser.add_argument("--check", action="store_true",
                            help="只比较统计表与重算结果,不修改;不一致时退出码为 1")

    def handle(self, *args, start, end, check=False, **options):
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError as exc:
            raise CommandError(f"日期须为 YYYY-MM-DD:{exc}") from exc
        if last < first:
            raise CommandError("截止日期不能早于起始日期。")
        if check:
            fresh, stored = recompute(first, last), summary_table(first, last)
            differing = sorted(k for k in fresh.keys() | stored.keys() if fresh.get(k) != stored.get(k))
            if differing:
                for key in differing[:20]:
                    self.stdout.write(f"{key[0]} 单位{key[1]} 区县{key[2]} 类别{key[3]}:"
                                      f"统计表 {dict(stored.get(key, {}))},重算 {dict(fresh.get(key, {}))}")
                raise CommandError(f"统计表有 {len(differing)} 行与重算结果不一致。")
            self.stdout.write(f"统计表与重算结果一致({len(fresh)} 行)。")
            return
        result = summary_rebuild(start=first, end=last)
        self.stdout.write(f"已重算 {first} 至 {last} 的问题统计:"
                          f"删除 {result['removed']} 行,写入 {result['written']} 行。")
