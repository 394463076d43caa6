"""The problems' summary table and the escalation job's claims (imported at the end of models.py).

`ProblemDaily` holds, per (day, responsible unit, district, category), the counts that the
metrics read (`metrics.py`): at a million problems a page may not scan `Problem`
(ARCHITECTURE.md, "Performance facts").  The services keep it current in the same transaction as
each change (`services/summary.py`); `metrics.recompute` derives the same numbers from the raw
rows, and `problems_rebuild_summary` repairs a period from them.  What each counter means is
defined once, in `tally.py`.

`ProblemReminder` is the escalation job's claim (`jobs.py`): one row per problem, colour and
deadline, so the job run twice, or on two machines at once, reminds once.
"""

from django.db import models
from django.utils import timezone

__all__ = ["COUNTERS", "ProblemDaily", "ProblemReminder", "ReminderColour"]

# The counters of `ProblemDaily`, in the order the table lists them (see tally.py).
COUNTERS = (
    "reported", "rebounds", "assigned", "closed", "close_minutes", "reworked",
    "due", "due_deferred", "due_closed", "due_on_time", "due_extended",
)


class ProblemDaily(models.Model):
    """One day's counts for one (responsible unit, district, category).

    The dimensions are plain integers, not foreign keys: 0 means "none" (a problem not yet
    assigned, or reported without a district), which a unique key over nullable columns could
    not hold on every database.  Counters may be added to concurrently (services/summary.py
    increments with F() under the unique key), never edited by hand.
    """

    day = models.DateField("日期")
    unit_id = models.BigIntegerField("责任单位", default=0)
    district_id = models.BigIntegerField("区县", default=0)
    category_id = models.BigIntegerField("类别", default=0)
    reported = models.IntegerField("上报数", default=0)
    rebounds = models.IntegerField("反弹数", default=0)
    assigned = models.IntegerField("交办数", default=0)
    closed = models.IntegerField("销号数", default=0)
    close_minutes = models.BigIntegerField("办结用时(工作分钟)", default=0)
    reworked = models.IntegerField("返工次数", default=0)
    due = models.IntegerField("应结案数", default=0)
    due_deferred = models.IntegerField("挂账数", default=0)
    due_closed = models.IntegerField("结案数", default=0)
    due_on_time = models.IntegerField("按期结案数", default=0)
    due_extended = models.IntegerField("延期数", default=0)
    # No CheckConstraint(counter >= 0): a counter below zero would mean the table drifted from
    # the problems, and refusing the user's 交办 or 销号 for that would punish the wrong person.
    # `problems_rebuild_summary` repairs drift; the tests hold summary == recompute.

    class Meta:
        verbose_name = "问题统计(日)"
        verbose_name_plural = "问题统计(日)"
        constraints = [
            # The key the services upsert on; it also serves every metrics read, which filters a
            # day range first (day leads).
            models.UniqueConstraint(fields=["day", "unit_id", "district_id", "category_id"],
                                    name="problems_daily_key"),
        ]

    def __str__(self):
        return f"{self.day} unit={self.unit_id} district={self.district_id} category={self.category_id}"


class ReminderColour(models.TextChoices):
    BLUE = "blue", "蓝色催办"
    YELLOW = "yellow", "黄色催办"
    RED = "red", "红色督办"


class ProblemReminder(models.Model):
    """A reminder the escalation job has sent.  Unique per (problem, colour, deadline): running
    the job twice sends once, and after an approved extension the colours start afresh."""

    problem = models.ForeignKey("problems.Problem", verbose_name="问题", on_delete=models.CASCADE,
                                related_name="reminders")
    colour = models.CharField("颜色", max_length=8, choices=ReminderColour.choices)
    deadline = models.DateTimeField("时限")
    sent_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = "问题督办提醒"
        verbose_name_plural = "问题督办提醒"
        constraints = [
            # The claim; also serves the job's NOT EXISTS (problem, colour, deadline) lookup.
            models.UniqueConstraint(fields=["problem", "colour", "deadline"], name="problems_reminder_once"),
        ]

    def __str__(self):
        return f"{self.problem_id} {self.colour} {self.deadline:%Y-%m-%d %H:%M}"
