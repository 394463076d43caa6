"""The in-process scheduler: the escalation jobs and the expiry of idempotency keys every pass, the
notification digest once a day.

The jobs are idempotent (a second run sends or deletes nothing twice), so this loop, a cron entry
and a systemd timer may overlap without harm; docs/operations.md shows each.  `make run` starts
`run_jobs --loop 900 --parent-pid <server>` next to the server, and the loop ends with it.
"""

import io
import logging
import os
import signal
import threading
from datetime import datetime, time
from time import monotonic

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger("chuangwen.jobs")

# How often a sleeping loop looks at its parent process and at the stop signal (seconds).
TICK = 1.0


class Command(BaseCommand):
    help = ("运行后台任务:任务督办提醒(task_reminders)、问题督办提醒(problem_reminders)、"
            "奖惩建议(reward_proposals),"
            "每天一次通知汇总(notify_digest),"
            "清理过期幂等记录(expire_idempotency_keys)。"
            "默认运行一次;--loop 秒数 则循环运行,收到 SIGTERM/SIGINT 后退出。")

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, metavar="SECONDS", default=0,
                            help="每隔这么多秒运行一次(默认只运行一次)")
        parser.add_argument("--digest-at", default="08:30", metavar="HH:MM",
                            help="每天这个时刻之后的第一次运行发送通知汇总(默认 08:30)")
        parser.add_argument("--parent-pid", type=int, default=0, metavar="PID",
                            help="父进程(如服务器)退出后随之退出")

    def handle(self, *args, loop=0, digest_at="08:30", parent_pid=0, **options):
        try:
            digest_time = time.fromisoformat(digest_at)
        except ValueError as exc:
            raise CommandError(f"--digest-at 须为 HH:MM:{digest_at}") from exc
        if loop < 0:
            raise CommandError("--loop 须为正数秒。")
        self.digest_time = digest_time
        self.digest_day = None  # the day this process last ran the digest
        if not loop:
            failed = self.run_once()
            if failed:
                raise CommandError(f"后台任务失败:{'、'.join(failed)}(详见日志)。")
            return
        stop = threading.Event()
        previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.stdout.write(f"后台任务已启动:每 {loop} 秒运行一次,"
                              f"通知汇总每天 {digest_time:%H:%M} 后发送。")
            while not stop.is_set() and self.parent_alive(parent_pid):
                # A long-lived loop must not reuse a connection the database closed meanwhile.
                close_old_connections()
                self.run_once()
                close_old_connections()
                # Sleep in ticks, so a stop signal or a vanished parent ends the wait at once.
                deadline = monotonic() + loop
                while not stop.is_set() and self.parent_alive(parent_pid):
                    remaining = deadline - monotonic()
                    if remaining <= 0:
                        break
                    stop.wait(min(TICK, remaining))
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
        self.stdout.write("后台任务已停止。")

    @staticmethod
    def parent_alive(parent_pid: int) -> bool:
        # Orphans are adopted by init (or a subreaper): our parent changes when the server dies,
        # however it dies (even SIGKILL, which no trap would see).
        return not parent_pid or os.getppid() == parent_pid

    def run_once(self) -> list[str]:
        """Run the jobs due now; return the names of those that failed."""
        jobs = ["task_reminders", "problem_reminders", "reward_proposals"]
        now = timezone.localtime()
        if self.digest_day != now.date() and now.time() >= self.digest_time:
            jobs.append("notify_digest")
        jobs.append("expire_idempotency_keys")
        failed = []
        for name in jobs:
            out = io.StringIO()
            try:
                call_command(name, stdout=out)
            except Exception:  # one failing job must not stop the other or the loop
                logger.exception("background job %s failed", name)
                self.stderr.write(f"{_stamp()} {name} 失败(详见日志)")
                failed.append(name)
            else:
                if name == "notify_digest":
                    self.digest_day = now.date()
                text = out.getvalue().strip()
                if text:
                    self.stdout.write(f"{_stamp()} {text}")
        return failed


def _stamp() -> str:
    return f"[{datetime.now(tz=timezone.get_current_timezone()):%Y-%m-%d %H:%M:%S}]"
