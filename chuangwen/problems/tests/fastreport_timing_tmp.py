# Temporary timing harness (fastreport); not to be committed.
import statistics
import time
from contextlib import contextmanager

import pytest
from django.db import transaction as real_transaction

from chuangwen.attachments.tests.samples import jpeg_bytes, upload
from chuangwen.problems.services import public


class _Shim:
    def __init__(self):
        self.times = []

    def __getattr__(self, name):
        return getattr(real_transaction, name)

    @contextmanager
    def atomic(self, *a, **kw):
        t0 = time.perf_counter()
        with real_transaction.atomic(*a, **kw):
            yield
        self.times.append(time.perf_counter() - t0)


@pytest.mark.django_db(transaction=True)
def test_timing(transactional_world, rubbish, monkeypatch):
    from chuangwen.problems.models import RoutingRule
    world = transactional_world
    RoutingRule.objects.get_or_create(category=rubbish, district=world.district, defaults={"unit": world.community})
    shim = _Shim()
    monkeypatch.setattr(public, "transaction", shim)
    data = jpeg_bytes()
    totals = []
    for i in range(120):
        t0 = time.perf_counter()
        public.problem_report_citizen(category=rubbish, description=f"垃圾{i}", photos=[upload("a.jpg", data, "image/jpeg")],
                                      district=world.district, address=f"和平路{i}号", lng=117.0 + i * 0.001 if i % 2 else None,
                                      lat=31.0 if i % 2 else None, phone="13812345678" if i % 3 else "")
        totals.append(time.perf_counter() - t0)
    ts = shim.times[20:]
    print(f"\nIN-TX median {statistics.median(ts)*1000:.2f} ms  p90 {sorted(ts)[int(len(ts)*.9)]*1000:.2f}  "
          f"TOTAL median {statistics.median(totals[20:])*1000:.2f} ms")


@pytest.mark.django_db(transaction=True)
def test_profile(transactional_world, rubbish):
    import cProfile
    import pstats
    from chuangwen.problems.models import RoutingRule
    world = transactional_world
    RoutingRule.objects.get_or_create(category=rubbish, district=world.district, defaults={"unit": world.community})
    data = jpeg_bytes()
    def go(i):
        public.problem_report_citizen(category=rubbish, description=f"垃圾{i}", photos=[upload("a.jpg", data, "image/jpeg")],
                                      district=world.district, address=f"和平路{i}号", phone="13812345678")
    for i in range(10):
        go(i)
    pr = cProfile.Profile()
    pr.enable()
    for i in range(10, 110):
        go(i)
    pr.disable()
    st = pstats.Stats(pr)
    st.sort_stats("cumulative").print_stats(r"chuangwen|fsync|execute|full_clean|replace|mkstemp", 45)


@pytest.mark.django_db
def test_staged_blob_removed_meanwhile(settings, tmp_path):
    from django.db import transaction
    from chuangwen.attachments import storage
    from chuangwen.attachments.models import Attachment
    from chuangwen.attachments.services import photos_stage, photos_store
    staged = photos_stage([upload("a.jpg", jpeg_bytes(), "image/jpeg")], evidence=False)
    path = storage.blob_path(staged[0].blob)
    assert path.is_file()
    path.unlink()  # a remover took it between staging and storing
    with transaction.atomic():
        [att] = photos_store(staged, owner_kind="problems.before", owner_id=123, actor=None, evidence=False)
    assert path.is_file() and att.blob == staged[0].blob and att.sha256 == staged[0].sha256
    assert Attachment.objects.filter(pk=att.pk).exists()
