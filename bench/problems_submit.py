"""Citizens' reports (随手拍) under load, through a real server, beside bare references in the same run.

    .venv/bin/python bench/problems_submit.py                # SQLite
    .venv/bin/python bench/problems_submit.py --pg           # PostgreSQL

On a copy of the cached city-scale data set (bench/problems_data.py: 1,000,000 problems; the
copy is thrown away afterwards, so the cached set stays as built), starts the production server
as `chuangwen serve` does (gunicorn, gthread, CHUANGWEN_WORKERS × CHUANGWEN_THREADS, the loopback
as the trusted proxy) and sends it, from --connections keep-alive connections on 127.0.0.1, an
open-loop load at --rate requests a second: each request is due at its slot, and its latency
runs from the slot, so a server that falls behind shows it.  Every request carries an
X-Forwarded-For address from the benchmark range 198.18.0.0/15 (a header value only: nothing is
sent there), five requests per address, so the per-address limit (10 reports in 10 minutes)
never refuses one, as when thousands of citizens report at once.

Phases, each at the same rate and concurrency: GET /healthz (a constant view), POST
/bench/insert4 (a bare transaction inserting 4 rows, served by the same gunicorn through a thin
WSGI wrapper that hands every other path to the application unchanged), then POST /report/ for
--seconds seconds: the citizen form (category, district, address, description, and for every
other report the phone's coordinates) with one 16 × 16 JPEG, the smallest photo the form accepts
(it requires one; the photo's re-encoding is not what this measures).  Each phase reports the
achieved rate, p50/p95/p99 and errors (any answer other than 200 for the references and the 302
to the tracking page for a report, or a failed connection), and the CPU milliseconds per request
that the server (gunicorn, and the PostgreSQL backends serving it) and the load client spent.
Target for the reports: at least 100 a second for 60 s, p95 under 300 ms, no error.
"""

import argparse
import http.client
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
REF_TABLE = "bench_ref_insert"


def reference_app():
    """The WSGI application gunicorn serves: the project's, plus the bare 4-row insert."""
    from django.db import connection, transaction

    from chuangwen.wsgi import application

    def app(environ, start_response):
        if environ.get("PATH_INFO") != "/bench/insert4":
            return application(environ, start_response)
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            with transaction.atomic(), connection.cursor() as cur:
                for k in range(4):
                    cur.execute(f"INSERT INTO {REF_TABLE} (tag, n, note) VALUES (%s, %s, %s)",
                                [uuid.uuid4().hex, k, "参考写入"])
            status, body = "200 OK", b"ok"
        except Exception as exc:  # noqa: BLE001  (reported to the client as a failed request)
            status, body = "500 Internal Server Error", repr(exc).encode()
        finally:
            connection.close_if_unusable_or_obsolete()
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    return app


# --- the load client -----------------------------------------------------------------------------

class Phase:
    def __init__(self, name, rate, seconds, make_request, ok_status):
        self.name, self.rate, self.total = name, rate, int(rate * seconds)
        self.make_request, self.ok_status = make_request, ok_status
        self.results = []  # (slot, latency from slot s, service s, status or error)
        self.lock = threading.Lock()
        self.next = 0

    def take(self):
        with self.lock:
            i, self.next = self.next, self.next + 1
        return i if i < self.total else None


def run_phase(phase: Phase, port: int, connections: int) -> dict:
    t0 = time.perf_counter() + 0.2

    def worker():
        conn = None
        while (i := phase.take()) is not None:
            due = t0 + i / phase.rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            method, path, headers, body = phase.make_request(i)
            sent = time.perf_counter()
            for attempt in (1, 2):
                reused = conn is not None
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    outcome = response.status
                    if response.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = None
                    break
                except (OSError, http.client.HTTPException) as exc:
                    outcome = type(exc).__name__
                    if conn is not None:
                        conn.close()
                    conn = None
                    # A kept-alive connection the server closed while idle (gunicorn's keepalive
                    # is 2 s) fails before the request is read: retried once on a new one, as
                    # browsers and HTTP libraries do.  A new connection's failure counts.
                    if not (reused and isinstance(exc, (http.client.RemoteDisconnected, BrokenPipeError,
                                                        ConnectionResetError))):
                        break
            done = time.perf_counter()
            with phase.lock:
                phase.results.append((i, done - due, done - sent, outcome, done))
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    res = phase.results
    lat = sorted(r[1] * 1000 for r in res)
    service = sorted(r[2] * 1000 for r in res)
    errors = [r[3] for r in res if r[3] != phase.ok_status]
    span = max(r[4] for r in res) - t0

    def pct(values, q):
        return values[max(0, -(-len(values) * q // 100) - 1)]

    return {"phase": phase.name, "sent": len(res), "seconds": span, "rate": len(res) / span,
            "p50": pct(lat, 50), "p95": pct(lat, 95), "p99": pct(lat, 99), "max": lat[-1],
            "service_p50": pct(service, 50), "errors": len(errors),
            "error_kinds": sorted({str(e) for e in errors})[:5]}


def cpu_seconds(pids) -> dict[int, float]:
    """utime + stime of each live process (Linux /proc), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def server_pids(master: int, pg_copy: str, pg_url: str) -> list[int]:
    """The gunicorn master and workers, and the PostgreSQL backends serving the copy."""
    pids = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    if pg_copy:
        import psycopg

        with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [pg_copy])
            pids += [r[0] for r in rows]
    return pids


def tiny_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), (120, 160, 90)).save(out, "JPEG", quality=80)
    return out.getvalue()


def multipart(fields: dict, photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="现场.jpg"\r\n'
                 f"Content-Type: image/jpeg\r\n\r\n".encode() + photo + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def address(i: int, per_address: int = 5) -> str:
    """198.18.0.0/15, the range set aside for benchmarks; `per_address` requests each."""
    n = i // per_address
    return f"198.{18 + (n >> 16) % 2}.{(n >> 8) & 255}.{n & 255}"


# --- the run -------------------------------------------------------------------------------------

def parse_args():
    from problems_data import DEFAULTS, PG_URL

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, value in DEFAULTS.items():
        ap.add_argument(f"--{name}", type=int, default=value)
    ap.add_argument("--pg", action="store_true", help=f"PostgreSQL: {PG_URL}")
    ap.add_argument("--no-migrate", action="store_true",
                    help="time the data set as it is (no pending migrations)")
    ap.add_argument("--database-url", default="", help="PostgreSQL URL of the cached data set")
    ap.add_argument("--rate", type=float, default=105.0, help="requests a second in every phase")
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the report phase")
    ap.add_argument("--ref-seconds", type=float, default=20.0, help="length of each reference phase")
    ap.add_argument("--connections", type=int, default=48, help="client connections (threads)")
    ap.add_argument("--workers", default=os.environ.get("CHUANGWEN_WORKERS", "2"))
    ap.add_argument("--threads", default=os.environ.get("CHUANGWEN_THREADS", "8"))
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--keep", action="store_true", help="keep the copy of the data set afterwards")
    return ap.parse_args()


def clone(pg_url: str) -> tuple[dict, Path, str]:
    """A throw-away copy of the data set: (server environment, its var dir, how to drop it)."""
    from django.conf import settings
    from django.db import connection

    var = BENCH.parent / "var" / "bench" / "problems-submit"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    for name in ("secret.key", "audit.key", "pi.key"):
        if (Path(settings.VAR_DIR) / name).exists():
            shutil.copy2(Path(settings.VAR_DIR) / name, var / name)
    env = {"CHUANGWEN_VAR_DIR": str(var)}
    if pg_url:
        copy_url = pg_url.rsplit("/", 1)[0] + "/cw_bench_submit"
        connection.close()
        import psycopg

        with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS cw_bench_submit")
            admin.execute(f'CREATE DATABASE cw_bench_submit TEMPLATE "{pg_url.rsplit("/", 1)[1]}"')
        env["CHUANGWEN_DATABASE_URL"] = copy_url
        with psycopg.connect(copy_url, autocommit=True) as conn:
            conn.execute(f"CREATE TABLE {REF_TABLE} (id bigserial PRIMARY KEY, tag varchar(32), n integer, "
                         f"note text, at timestamptz DEFAULT now())")
        return env, var, "cw_bench_submit"
    with connection.cursor() as cur:
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    shutil.copy2(settings.DATABASES["default"]["NAME"], var / "chuangwen.sqlite3")
    import sqlite3

    db = sqlite3.connect(var / "chuangwen.sqlite3")
    db.execute(f"CREATE TABLE {REF_TABLE} (id integer PRIMARY KEY AUTOINCREMENT, tag varchar(32), n integer, "
               f"note text, at datetime DEFAULT CURRENT_TIMESTAMP)")
    db.commit()
    db.close()
    return env, var, ""


def main() -> None:
    a = parse_args()
    from problems_data import PG_URL, ensure_problem_dataset, setup

    pg_url = a.database_url or (PG_URL if a.pg else "")
    setup(pg_url, units=a.units, problems=a.problems)
    marker = ensure_problem_dataset(units=a.units, problems=a.problems, days=a.days, seed=a.seed,
                                    migrate=not a.no_migrate)
    from chuangwen.org.models import Unit
    from chuangwen.problems.models import Category

    categories = list(Category.objects.filter(is_active=True).values_list("code", flat=True))
    districts = list(Unit.objects.filter(kind__in=("county", "dev_zone")).values_list("code", flat=True))
    print(f"data set: {marker['last_id'] - marker['first_id'] + 1} problems built {marker['built_at']} "
          f"({marker['how']}); copying it for the run")
    t0 = time.perf_counter()
    env, var, pg_copy = clone(pg_url)
    print(f"copy ready in {time.perf_counter() - t0:.0f} s: {pg_copy or var / 'chuangwen.sqlite3'}")

    server_env = {k: v for k, v in os.environ.items() if k != "CHUANGWEN_DATABASE_URL"}
    server_env.update(env, CHUANGWEN_TRUSTED_PROXIES="127.0.0.1", CHUANGWEN_ALLOWED_HOSTS="127.0.0.1",
                      DJANGO_SETTINGS_MODULE="chuangwen.settings")
    # What `chuangwen serve` runs (chuangwen/cli.py), with the application wrapped for /bench/insert4.
    command = [sys.executable, "-m", "gunicorn", "problems_submit:reference_app()", "--pythonpath",
               f"{BENCH.parent},{BENCH}", "--bind", f"127.0.0.1:{a.port}", "--workers", str(a.workers),
               "--threads", str(a.threads), "--worker-class", "gthread", "--access-logfile", "-",
               "--forwarded-allow-ips", "127.0.0.1"]
    log = open(var / "server.log", "w")  # noqa: SIM115
    server = subprocess.Popen(command, env=server_env, cwd=BENCH.parent, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("the server did not start: see " + str(var / "server.log"))
        run(a, categories, districts, lambda: server_pids(server.pid, pg_copy, pg_url))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if not a.keep:
            if pg_copy:
                import psycopg

                with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {pg_copy}")
            shutil.rmtree(var, ignore_errors=True)


def run(a, categories: list[str], districts: list[str], pids) -> None:
    c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=10)
    c.request("GET", "/report/")
    r = c.getresponse()
    page = r.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", r.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    photo = tiny_jpeg()
    roads = ("和平路", "解放路", "人民路", "建设路", "文化路", "中山路")

    def report(i):
        # Every other citizen lets the phone give the place (获取当前位置), within the city.
        point = (f"{116.9 + (i * 7919 % 4000) / 10000:.7f}", f"{36.5 + (i * 104729 % 3000) / 10000:.7f}")
        body, ctype = multipart({
            "csrfmiddlewaretoken": token, "category": categories[i % len(categories)],
            "district": districts[i % len(districts)], "address": f"{roads[i % len(roads)]}{i % 300 + 1}号",
            "lng": point[0] if i % 2 else "", "lat": point[1] if i % 2 else "",
            "description": f"压力测试:路边垃圾堆放无人清理({i})", "name": "", "phone": "",
        }, photo)
        return "POST", "/report/", {"Content-Type": ctype, "Cookie": f"csrftoken={cookie}",
                                    "X-Forwarded-For": address(i + offset[0])}, body

    offset = [10_000]  # the warm-up's addresses are not reused

    def healthz(i):
        return "GET", "/healthz", {"X-Forwarded-For": address(i)}, None

    def insert4(i):
        return "POST", "/bench/insert4", {"X-Forwarded-For": address(i), "Content-Length": "0"}, b""

    # Warm-up (not reported): every worker thread imports and connects once.
    for phase in (Phase("warm-up", 50, 2, healthz, 200), Phase("warm-up", 20, 3, report, 302)):
        run_phase(phase, a.port, a.connections)
    offset[0] = 20_000
    print(f"\nserver: {a.workers} workers × {a.threads} threads (gthread); client: {a.connections} "
          f"connections, open loop at {a.rate:.0f}/s; {load()}")
    print(f"{'phase':26s} {'sent':>6s} {'s':>5s} {'rate/s':>7s} {'p50 ms':>7s} {'p95 ms':>7s} {'p99 ms':>7s} "
          f"{'max ms':>7s} {'errors':>6s} {'srv cpu':>7s} {'cli cpu':>7s}")
    rows = []
    for name, seconds, make, ok in (("GET /healthz (reference)", a.ref_seconds, healthz, 200),
                                    ("POST 4-row insert (ref.)", a.ref_seconds, insert4, 200),
                                    ("POST /report/ (citizen)", a.seconds, report, 302)):
        before, client0 = cpu_seconds(pids()), time.process_time()
        r = run_phase(Phase(name, a.rate, seconds, make, ok), a.port, a.connections)
        after = cpu_seconds(pids())
        server_ms = sum(t - before.get(pid, 0.0) for pid, t in after.items()) * 1000 / r["sent"]
        client_ms = (time.process_time() - client0) * 1000 / r["sent"]
        rows.append(r)
        print(f"{name:26s} {r['sent']:6d} {r['seconds']:5.1f} {r['rate']:7.1f} {r['p50']:7.1f} "
              f"{r['p95']:7.1f} {r['p99']:7.1f} {r['max']:7.1f} {r['errors']:6d} {server_ms:7.1f} "
              f"{client_ms:7.1f} {' '.join(r['error_kinds'])}", flush=True)
    ref, ins, rep = rows
    met = rep["rate"] >= 100 and rep["p95"] < 300 and rep["errors"] == 0 and rep["seconds"] >= 60
    print(f"\nreport p95 = {rep['p95'] / ref['p95']:.0f} × /healthz p95, {rep['p95'] / ins['p95']:.1f} × "
          f"4-row insert p95; target (≥ 100/s for 60 s, p95 < 300 ms, no error): "
          f"{'met' if met else 'MISSED'}; {load()}.  srv cpu / cli cpu: CPU ms per request of the server "
          f"(gunicorn and, on PostgreSQL, its backends) and of this load client.")


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


if __name__ == "__main__":
    main()
