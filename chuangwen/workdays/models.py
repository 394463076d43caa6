from django.db import models


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class DaySource(models.TextChoices):
    PACKAGE = "package", "国务院办公厅通知(内置)"
    MANUAL = "manual", "指挥部办公室录入"


class CalendarDay(models.Model):
    """An exception to the Monday-Friday rule: a holiday on a weekday or a make-up working day
    (调休) on a weekend.  Days without a row follow the weekday rule."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=DayKind.choices)
    name = models.CharField("名称", max_length=40, blank=True)
    source = models.CharField("来源", max_length=16, choices=DaySource.choices, default=DaySource.MANUAL)

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"
