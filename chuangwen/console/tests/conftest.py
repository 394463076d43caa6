from chuangwen.audit.models import Entry


def last_seq() -> int:
    return Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def events_since(seq: int) -> list[str]:
    return list(Entry.objects.filter(seq__gt=seq).order_by("seq").values_list("event", flat=True))
