"""The rules every city starts with (HQ edits them on the rules page) and the default ladder.
The data migration loads them; `ensure_defaults` puts back what a flushed database lost and
never changes a rule HQ has edited."""

# code, name, trigger, kind, n, consecutive, days, description
RULES = [
    ("JC-R01", "排名前十上红榜、授流动红旗", "rank_top", "red_flag", 10, 1, 0,
     "每个考评周期定榜后,各排名组前 10 名列入红榜,授予流动红旗(流动红旗不终身保持,按期重评)。"),
    ("JC-R02", "连续两期排名后三上黑榜、约谈一把手", "rank_bottom", "talk", 3, 2, 0,
     "连续两个同类考评周期排名后 3 名的单位列入黑榜,约谈单位主要负责人。"),
    ("JC-R03", "红色督办逾期 15 个工作日通报批评", "task_overdue", "criticism", 0, 1, 15,
     "红色督办任务逾期达 15 个工作日仍未办结的,对牵头单位通报批评。任务自带逾期奖惩规则的,按任务的规则处理。"),
    ("JC-R04", "按任务定奖惩规则提出建议", "task_policy", "", 0, 1, 3,
     "任务验收时按其奖惩规则提出表扬或表彰建议(提前 3 个工作日以上完成为提前完成),"
     "任务逾期时提出批评建议,延期后再次逾期为连续逾期。"),
]

# From light to heavy (DOMAIN-NOTES §4.3: 通报批评 → 约谈 → 问责, 诫勉 as a configurable level).
LADDER_RUNGS = ["criticism", "talk", "admonition", "accountability"]
LADDER_WINDOW_MONTHS = 12


def ensure_defaults(rule_model, ladder_model) -> None:
    """Create the rules and the ladder row that are missing."""
    for code, name, trigger, kind, n, consecutive, days, description in RULES:
        rule_model.objects.get_or_create(code=code, defaults={
            "name": name, "trigger": trigger, "kind": kind, "n": n, "consecutive": consecutive, "days": days,
            "description": description,
        })
    ladder_model.objects.get_or_create(pk=1, defaults={"rungs": LADDER_RUNGS,
                                                       "window_months": LADDER_WINDOW_MONTHS})
