"""Organisation pages at city scale, against a bare reference view in the same run.

    CHUANGWEN_VAR_DIR=var/bench .venv/bin/python bench/org_pages.py --shops 20000 --people 20000

Builds (once) a SQLite file database in $CHUANGWEN_VAR_DIR with the demo city plus N extra
street-front shops, each with a head (bulk-inserted: a benchmark fixture, not application data),
then times each page in-process through Django's test client and reports the mean, p95 and the
ratio to /healthz (a view returning a constant), which absorbs the machine's noise.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangwen.settings")
os.environ.setdefault("CHUANGWEN_STATIC_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("CHUANGWEN_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from chuangwen.accounts.models import User  # noqa: E402
from chuangwen.org.models import PATH_SEGMENT_WIDTH, Post, Unit, UnitKind  # noqa: E402


def build(shops: int) -> None:
    call_command("migrate", verbosity=0)
    if not Unit.objects.filter(code="CITY").exists():
        call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))
    have = Unit.objects.filter(code__startswith="BENCH-").count()
    if have >= shops:
        return
    communities = list(Unit.objects.filter(kind=UnitKind.COMMUNITY).order_by("path"))
    unusable = make_password(None)
    today = timezone.localdate()
    batch = 2000
    with transaction.atomic():
        for start in range(have, shops, batch):
            units, people = [], []
            for i in range(start, min(start + batch, shops)):
                parent = communities[i % len(communities)]
                units.append(Unit(code=f"BENCH-{i:06d}", name=f"测试商户{i:06d}", kind=UnitKind.SHOP, parent=parent,
                                  path=f"{parent.path}tmp{i}/", depth=parent.depth + 1,
                                  full_name=f"{parent.full_name}/测试商户{i:06d}"))
                people.append(User(username=f"bench{i:06d}", full_name=f"店主{i:06d}", password=unusable))
            Unit.objects.bulk_create(units)
            User.objects.bulk_create(people)
            created = {u.code: u for u in Unit.objects.filter(code__in=[u.code for u in units])}
            for u in created.values():
                u.path = f"{u.parent.path}{u.pk:0{PATH_SEGMENT_WIDTH}d}/" if u.parent_id else u.path
            Unit.objects.bulk_update(created.values(), ["path"])
            users = {p.username: p for p in User.objects.filter(username__in=[p.username for p in people])}
            Post.objects.bulk_create([
                Post(person=users[f"bench{int(code[6:]):06d}"], unit=u, title="店主", is_head=True, valid_from=today)
                for code, u in created.items()
            ])


def time_get(client: Client, url: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    return samples


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shops", type=int, default=20000)
    ap.add_argument("-n", type=int, default=30)
    args = ap.parse_args()
    t0 = time.perf_counter()
    build(args.shops)
    print(f"data: {Unit.objects.count()} units, {User.objects.count()} people, {Post.objects.count()} posts "
          f"(setup {time.perf_counter() - t0:.1f} s)")
    hq = User.objects.get(username="hq_director")
    head = User.objects.get(username="community_head")
    community = Post.objects.current().filter(person=head, is_head=True).first().unit
    street = community.parent
    cases = [
        ("reference: /healthz (constant)", None, "/healthz"),
        ("hq: unit tree (roots)", hq, "/org/units/"),
        ("hq: children of a street", hq, f"/org/units/{street.code}/children/"),
        ("hq: search '商户0001'", hq, "/org/units/?q=%E5%95%86%E6%88%B70001"),
        ("hq: district detail", hq, f"/org/units/{street.parent.code}/"),
        ("hq: people list p.1", hq, "/org/people/"),
        ("community head: unit tree", head, "/org/units/"),
        ("community head: own community", head, f"/org/units/{community.code}/"),
        ("community head: people list", head, "/org/people/"),
    ]
    clients = {}
    ref = None
    print(f"{'page':40s} {'mean ms':>8s} {'p95 ms':>8s} {'× ref':>7s}")
    for label, user, url in cases:
        client = clients.get(user)
        if client is None:
            client = Client()
            if user is not None:
                client.force_login(user)
            clients[user] = client
        time_get(client, url, 3)  # warm up
        samples = time_get(client, url, args.n)
        mean = statistics.mean(samples)
        p95 = sorted(samples)[int(len(samples) * 0.95) - 1]
        ref = ref or mean
        print(f"{label:40s} {mean:8.2f} {p95:8.2f} {mean / ref:7.1f}")


if __name__ == "__main__":
    main()
