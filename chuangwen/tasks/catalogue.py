"""The reward/penalty catalogue every city starts with (HQ adds its own in the admin site).
The data migration loads it; `ensure_catalogue` puts back what a flushed database lost."""

CATALOGUE = [
    ("JC01", "提前完成通报表扬;逾期未完成通报批评;连续逾期约谈", "praise", "", "criticism", "talk"),
    ("JC02", "按期完成计入考评;逾期未完成通报批评", "", "", "criticism", "criticism"),
    ("JC03", "提前完成通报表扬;逾期未完成约谈;连续逾期问责", "praise", "", "talk", "accountability"),
    ("JC04", "按期完成表彰;逾期未完成通报批评;连续逾期诫勉", "", "commendation", "criticism", "admonition"),
]


def ensure_catalogue(model) -> None:
    """Create the entries that are missing (never changes one HQ has edited)."""
    for code, name, early, on_time, overdue, repeat in CATALOGUE:
        model.objects.get_or_create(code=code, defaults={
            "name": name, "on_early": early, "on_time": on_time, "on_overdue": overdue,
            "on_repeat_overdue": repeat,
        })
