"""Ticket API throughput and open-queue latency against a real gunicorn on 127.0.0.1; prints JSON.

    .venv/bin/python bench/api_tickets.py [--tickets 100000] [--seconds 10] [--database-url postgres://…/kefu_bench]

It builds a throw-away database (SQLite under a temp dir, or the PostgreSQL database you name —
never the shared `test` one), bulk-loads N tickets, starts gunicorn (2 workers × 4 threads, like
`kefu run`), then measures: POST /api/v1/tickets per second with 1 and 8 clients (keep-alive),
and the p50/p95 of the open-queue first page (API and desk) for a CS agent and a store
manager, and the peak RSS of the server process tree. Bounded in time and count; loopback only."""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from http_load import create_tickets, desk_cookie

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def env_for(var_dir: str, database_url: str | None) -> dict:
    env = {
        **os.environ,
        "KEFU_VAR": var_dir,
        "DJANGO_SETTINGS_MODULE": "kefu.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


SEED = r"""
import random, sys, time, datetime
import django; django.setup()
from django.db import connection, transaction
from django.utils import timezone
from kefu.web.demo import _users, _catalog
from kefu.customers.models import Customer
from kefu.tickets.models import Ticket, TicketEvent
from kefu import search
n = int(sys.argv[1])
regions, stores, users = _users(); _catalog()
stores = list(stores.values())
rng = random.Random(7)
t0 = time.time()
customers = Customer.objects.bulk_create([Customer(name=f"顾客{i}", phone=f"139{i:08d}", name_pinyin="", phone_last4=f"{i:08d}"[-4:]) for i in range(2000)])
texts = ["冰箱不制冷", "空调漏水", "洗衣机不脱水", "电视黑屏", "手机充不进电", "安装师傅迟到", "发票开错了"]
statuses = ["new", "open", "pending_customer", "on_hold", "resolved", "closed"]
day = timezone.localdate()
batch = 5000
now = timezone.now()
for start in range(0, n, batch):
    rows = []
    for i in range(start, min(n, start + batch)):
        store = stores[i % len(stores)]
        subject = texts[i % len(texts)] + f" #{i}"
        rows.append(Ticket(number=f"KF-19990101-{i:07d}", type="fault_report", channel="phone", status=rng.choices(statuses, [1, 2, 1, .3, 3, 6])[0],
                           priority="normal", priority_rank=2, store=store, region_id=store.region_id, customer=customers[i % 2000],
                           subject=subject, description=subject, tracking_token=f"bench{i}", search_text=search.segment(subject),
                           created_at=now, updated_at=now))
    with transaction.atomic():
        Ticket.objects.bulk_create(rows)
if connection.vendor == "postgresql":
    with connection.cursor() as c: c.execute("ANALYZE")
else:
    with connection.cursor() as c: c.execute("ANALYZE")
print(f"seeded {n} tickets in {time.time()-t0:.1f}s", file=sys.stderr)
"""


def token(env, username):
    out = subprocess.run(
        [PY, "-m", "kefu.cli", "token", username],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def rss_tree_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            stack.extend(int(c) for c in children)
        except FileNotFoundError:
            continue
    return total / 1024


def post_tickets(port, tok, seconds, clients):
    body = {
        "type": "complaint",
        "channel": "api",
        "subject": "空调漏水",
        "description": "客厅空调一直滴水",
        "store": "SH001",
        "customer": {"name": "张伟", "phone": "13912345678", "gender": "male"},
    }
    payload = json.dumps(body).encode()
    run = create_tickets(port, tok, payload, seconds, clients)
    return {
        "clients": clients,
        "tickets_per_s": round(run["created"] / run["elapsed"], 1),
        "errors": run["errors"],
    }


def latency(port, path, headers, n=200):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        r.read()
        assert r.status == 200, (path, r.status)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "path": path,
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--database-url")
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args()
    var_dir = tempfile.mkdtemp(prefix="kefu-bench-")
    env = env_for(var_dir, args.database_url)
    env["KEFU_WARM_UP"] = "1"
    if args.database_url:
        subprocess.run(
            [PY, "-m", "kefu.cli", "manage", "flush", "--noinput"], env=env, capture_output=True
        )
    subprocess.run(
        [PY, "-m", "kefu.cli", "manage", "migrate", "--noinput", "-v0"], env=env, check=True
    )
    subprocess.run([PY, "-c", SEED, str(args.tickets)], env=env, check=True)
    tok_cs, tok_store = token(env, "cs_agent"), token(env, "manager_sh001")
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "kefu.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--preload",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request(
                    "GET", "/desk/healthz"
                )
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1)
        cookie = desk_cookie(args.port, "cs_agent")
        result = {
            "bench": "api_tickets",
            "database": "postgresql" if args.database_url else "sqlite",
            "tickets": args.tickets,
            "queue": [
                latency(
                    args.port,
                    "/api/v1/tickets?status=new&status=open&status=pending_customer&status=on_hold",
                    {"Authorization": f"Bearer {tok_cs}"},
                ),
                latency(
                    args.port,
                    "/api/v1/tickets?status=new&status=open&status=pending_customer&status=on_hold",
                    {"Authorization": f"Bearer {tok_store}"},
                ),
                latency(
                    args.port,
                    "/api/v1/tickets?q=" + quote("空调漏水"),
                    {"Authorization": f"Bearer {tok_cs}"},
                ),
                latency(args.port, "/desk/?view=open", {"Cookie": cookie}),
            ],
            "create": [
                post_tickets(args.port, tok_cs, args.seconds, 1),
                post_tickets(args.port, tok_cs, args.seconds, 8),
            ],
        }
        result["server_rss_mb"] = round(rss_tree_mb(server.pid), 1)
        print(json.dumps(result, ensure_ascii=False, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
