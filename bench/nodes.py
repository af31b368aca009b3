"""Throughput of 1 vs 2 web nodes on one machine (PostgreSQL + Redis shared); prints JSON.

    .venv/bin/python bench/nodes.py --database-url postgres://…/kefu_bench_100k \\
        [--redis-url redis://127.0.0.1:6379/5] [--port 8174] [--seconds 10] [--clients 8]

Each node is gunicorn as `kefu run` starts it (2 workers × 4 threads) with its own KEFU_VAR;
the clients spread POST /api/v1/tickets and the open-queue first page (API) over the nodes
round-robin. On one 2-core machine two nodes share the same cores: this shows that a second
node adds no contention of its own (locks, sessions, numbering), not the gain of a second box."""

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from http_load import run_clients

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
OPEN = "/api/v1/tickets?status=new&status=open&status=pending_customer&status=on_hold"


def run(ports, tok, seconds, clients, kind):
    body = json.dumps(
        {
            "type": "fault_report",
            "channel": "api",
            "subject": "空调不制冷",
            "description": "开了半小时吹出来的还是热风。",
            "store": "SH001",
            "customer": {"name": "张伟", "phone": "13912345678", "gender": "male"},
        },
        ensure_ascii=False,
    ).encode()
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", ports[i % len(ports)], timeout=60)
        headers = {"Authorization": f"Bearer {tok}", "Content-Type": "application/json"}
        while time.monotonic() < stop:
            if kind == "create":
                conn.request("POST", "/api/v1/tickets", body=body, headers=headers)
            else:
                conn.request("GET", OPEN, headers=headers)
            r = conn.getresponse()
            r.read()
            if r.status in (200, 201):
                counts[i] += 1

    elapsed = run_clients(clients, worker)  # before the sum: the clients fill counts
    return round(sum(counts) / elapsed, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    ap.add_argument("--port", type=int, default=8174)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--clients", type=int, default=8)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="kefu-nodes-"))

    def env(name):
        (base / name).mkdir(exist_ok=True)
        return {
            **os.environ,
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "KEFU_VAR": str(base / name),
            "SECRET_KEY": "bench-nodes-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "DJANGO_SETTINGS_MODULE": "kefu.settings",
            "PYTHONPATH": str(ROOT / "src"),
        }

    tok = subprocess.run(
        [PY, "-m", "kefu.cli", "token", "cs_manager"],
        env=env("admin"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    sys.path.insert(0, str(ROOT / "src"))
    from kefu.cli import gunicorn_command

    result = {"bench": "nodes", "clients": args.clients, "seconds": args.seconds}
    for n in (1, 2):
        ports = [args.port + i for i in range(n)]
        procs = [
            subprocess.Popen(
                gunicorn_command(str(p)),
                env=env(f"node{p}"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            for p in ports
        ]
        try:
            for p in ports:
                for _ in range(200):
                    try:
                        c = http.client.HTTPConnection("127.0.0.1", p, timeout=2)
                        c.request("GET", "/desk/healthz")
                        if c.getresponse().status == 200:
                            break
                    except OSError:
                        time.sleep(0.3)
            result[f"{n}_node"] = {
                "create_per_s": run(ports, tok, args.seconds, args.clients, "create"),
                "open_queue_per_s": run(ports, tok, args.seconds, args.clients, "queue"),
            }
        finally:
            for proc in procs:
                os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                proc.wait(timeout=30)
    result["uptime"] = Path("/proc/loadavg").read_text().split()[:3]
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
