"""Ticket creation throughput and server memory of a real `kefu run` on 127.0.0.1; prints JSON.

    .venv/bin/python bench/create_tickets.py [--seconds 10] [--tickets 2000] [--port 8160]
                                             [--database-url postgres://…/kefu_bench]
                                             [--holdings] [--reads-only]

It builds a throw-away database (SQLite under a temp dir, or the PostgreSQL database you name —
never a shared one: it is flushed), loads the demo's staff and catalogue plus N tickets, starts
`kefu run` (gunicorn, its workers running the Huey consumer, exactly as shipped), and measures:

- POST /api/v1/tickets per second with 1 and then 8 keep-alive clients, each for --seconds,
  with everything a ticket gets (customer match, number, SLA clocks, search index, timeline
  event, special-case rules, the customer's SMS through the channels pipeline);
- the server's CPU per created ticket (user + system time of the whole `kefu run` tree, from
  /proc, divided by the tickets created; and the part of it spent by the Huey consumer (its threads) sending
  the customer's SMS): less sensitive than tickets/s to a loaded machine;
- RSS and PSS (from /proc/<pid>/smaps_rollup: shared pages divided among the processes that
  share them, the honest figure for a pre-forked server) of the whole tree, idle after start
  and at the peak of the run (sampled every 0.2 s);
- then the desk's open queue read by 8 signed-in clients for --seconds (pages/s, p50/p95, the
  tree's CPU per page): how many agents one server keeps up with, which is what the number of
  workers changes; --reads-only measures these reads alone, without the creation runs.

Bounded in time (about 2 × --seconds plus start-up) and count; loopback only."""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from http_load import (
    CLK,
    NEW_TICKET,
    create_tickets,
    desk_cookie,
    read_pages,
    stat_ticks,
    tree,
    tree_cpu_seconds,
    wait_up,
)

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

SEED = r"""
import sys, time
import django; django.setup()
from django.db import connection, transaction
from django.utils import timezone
from kefu.web.demo import _users, _catalog
from kefu.customers.models import Customer
from kefu.tickets.models import Ticket
from kefu import search
n = int(sys.argv[1])
regions, stores, users = _users(); _catalog()
stores = list(stores.values())
customers = Customer.objects.bulk_create([Customer(name=f"顾客{i}", phone=f"139{i:08d}", name_pinyin="", phone_last4=f"{i:08d}"[-4:]) for i in range(500)])
texts = ["冰箱不制冷", "空调漏水", "洗衣机不脱水", "电视黑屏", "手机充不进电", "安装师傅迟到", "发票开错了"]
now = timezone.now()
rows = []
for i in range(n):
    store = stores[i % len(stores)]
    subject = texts[i % len(texts)] + f" #{i}"
    rows.append(Ticket(number=f"KF-19990101-{i:07d}", type="fault_report", channel="phone", status="open",
                       priority="normal", priority_rank=2, store=store, region_id=store.region_id, customer=customers[i % 500],
                       subject=subject, description=subject, tracking_token=f"bench{i}", search_text=search.segment(subject),
                       created_at=now, updated_at=now))
with transaction.atomic():
    Ticket.objects.bulk_create(rows, batch_size=2000)
with connection.cursor() as c:
    c.execute("ANALYZE")
"""


def memory(pid: int) -> dict:
    """RSS and PSS of the tree in MB, and each process's."""
    rss = pss = 0
    parts = []
    for p in tree(pid):
        try:
            fields = {}
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()[1:]:
                key, value = line.split(":")
                fields[key] = int(value.split()[0])
            cmd = Path(f"/proc/{p}/cmdline").read_text().split("\0")
        except (FileNotFoundError, ProcessLookupError):
            continue
        rss += fields["Rss"]
        pss += fields["Pss"]
        name = "gunicorn" if "gunicorn" in cmd else "run_huey" if "run_huey" in cmd else "kefu run"
        parts.append(
            {
                "process": name,
                "rss_mb": round(fields["Rss"] / 1024),
                "pss_mb": round(fields["Pss"] / 1024),
            }
        )
    return {"rss_mb": round(rss / 1024, 1), "pss_mb": round(pss / 1024, 1), "processes": parts}


def holdings(pid: int, top: int = 8) -> list[dict]:
    """What each process of the tree holds, from /proc/<pid>/smaps: resident MB by mapping
    (anonymous memory as one line; files by name), largest first."""
    out = []
    for p in tree(pid):
        try:
            text = Path(f"/proc/{p}/smaps").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        by, name = {}, "anonymous"
        for line in text.splitlines():
            head = line.split()
            if head and "-" in head[0] and not head[0].endswith(":"):
                path = head[5] if len(head) > 5 else ""
                name = path.rsplit("/", 1)[-1] if path.startswith("/") else "anonymous"
            elif head and head[0] == "Rss:":
                by[name] = by.get(name, 0) + int(head[1])
        largest = sorted(by.items(), key=lambda kv: -kv[1])[:top]
        out.append({"pid": p, "mb": {k: round(v / 1024, 1) for k, v in largest}})
    return out


def consumer_threads_ticks(pid: int) -> int:
    ticks = 0
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            if (task / "comm").read_text().strip() == "kefu-consumer":
                ticks += sum(
                    int(x) for x in (task / "stat").read_text().rsplit(")", 1)[1].split()[11:13]
                )
        except (FileNotFoundError, ProcessLookupError):
            continue
    return ticks


def cpu_seconds(pid: int) -> dict:
    """User + system CPU of the tree (reaped children included), in all and of the consumer."""
    total = consumer = 0
    for p in tree(pid):
        try:
            ticks = stat_ticks(p)
            cmd = Path(f"/proc/{p}/cmdline").read_text().split("\0")
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += ticks
        if "run_huey" in cmd:
            consumer += ticks
        else:  # the consumer inside a web worker: its threads are named (kefu.web_consumer)
            consumer += consumer_threads_ticks(p)
    return {"all": total / CLK, "consumer": consumer / CLK}


class Peak(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, {"rss_mb": 0, "pss_mb": 0}, True

    def run(self):
        while self.running:
            m = memory(self.pid)
            if m["pss_mb"] > self.peak["pss_mb"]:
                self.peak = {**m, "rss_mb": max(m["rss_mb"], self.peak["rss_mb"])}
            else:
                self.peak["rss_mb"] = max(m["rss_mb"], self.peak["rss_mb"])
            time.sleep(0.2)


def post_tickets(port, tok, seconds, clients, server_pid):
    payload = json.dumps(NEW_TICKET).encode()
    cpu0 = cpu_seconds(server_pid)
    run = create_tickets(port, tok, payload, seconds, clients)
    cpu1 = cpu_seconds(server_pid)
    created = run["created"]
    cpu, consumer = cpu1["all"] - cpu0["all"], cpu1["consumer"] - cpu0["consumer"]
    return {
        "clients": clients,
        "created": created,
        "tickets_per_s": round(created / run["elapsed"], 1),
        "server_cpu_ms_per_ticket": round(cpu * 1000 / max(created, 1), 1),
        "of_which_consumer_ms": round(consumer * 1000 / max(created, 1), 1),
        "errors": run["errors"],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--tickets", type=int, default=2000, help="tickets already there")
    ap.add_argument("--database-url")
    ap.add_argument("--port", type=int, default=8160)
    ap.add_argument(
        "--holdings", action="store_true", help="also what each process holds at the end"
    )
    ap.add_argument(
        "--reads-only",
        action="store_true",
        help="no creation runs: the desk queue's reads alone (the consumer has no messages "
        "to send meanwhile)",
    )
    args = ap.parse_args()
    var_dir = tempfile.mkdtemp(prefix="kefu-bench-")
    env = {
        **os.environ,
        "KEFU_VAR": var_dir,
        "DJANGO_SETTINGS_MODULE": "kefu.settings",
        "PYTHONPATH": str(ROOT / "src"),
        "PORT": str(args.port),
    }
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        subprocess.run(
            [PY, "-m", "kefu.cli", "manage", "flush", "--noinput"], env=env, capture_output=True
        )
    subprocess.run(
        [PY, "-m", "kefu.cli", "manage", "migrate", "--noinput", "-v0"], env=env, check=True
    )
    subprocess.run([PY, "-c", SEED, str(args.tickets)], env=env, check=True)
    tok = subprocess.run(
        [PY, "-m", "kefu.cli", "token", "cs_agent"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    server = subprocess.Popen(
        [PY, "-m", "kefu.cli", "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_up(args.port, server, timeout=60)
        time.sleep(3)  # the consumer finishes starting
        idle = memory(server.pid)
        peak = Peak(server.pid)
        peak.start()
        create = []
        if not args.reads_only:
            create = [
                post_tickets(args.port, tok, args.seconds, 1, server.pid),
                post_tickets(args.port, tok, args.seconds, 8, server.pid),
            ]
            time.sleep(2)  # the consumer sends the queued messages
        cookie = {"Cookie": desk_cookie(args.port, "cs_manager")}
        cpu0 = tree_cpu_seconds(server.pid)
        reads = read_pages(args.port, cookie, "/desk/?view=open", args.seconds, 8)
        cpu = tree_cpu_seconds(server.pid) - cpu0
        reads = {
            "clients": 8,
            "pages_per_s": round(reads["pages"] / reads["elapsed"], 1),
            **{k: reads[k] for k in ("p50_ms", "p95_ms", "errors")},
            # The whole tree's CPU per page: a consumer still sending the messages of the
            # tickets just created counts here too (--reads-only: none).
            "server_cpu_ms_per_page": round(cpu * 1000 / max(reads["pages"], 1), 1),
        }
        peak.running = False
        peak.join()
        result = {
            "bench": "create_tickets",
            "database": "postgresql" if args.database_url else "sqlite",
            "tickets_before": args.tickets,
            "create": create,
            "desk_queue_reads": reads,
            "server_idle": idle,
            "server_peak": peak.peak,
            "load": os.getloadavg(),
            "workers": os.environ.get("WEB_CONCURRENCY", "default"),
        }
        if args.holdings:
            result["holdings_at_end"] = holdings(server.pid)
        print(json.dumps(result, ensure_ascii=False, indent=2))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
