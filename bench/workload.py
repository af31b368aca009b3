"""The standard helpdesk workload against a real `kefu run` on 127.0.0.1; prints JSON.

    .venv/bin/python bench/workload.py --tickets 100000 [--database-url postgres://…/kefu_bench_100k]
        [--port 8170] [--seconds 10] [--samples 100] [--var /tmp/kefu-workload]

The database (the PostgreSQL one you name, never a shared one; else SQLite under --var) is
migrated and filled with `kefu seed-bench` up to N tickets (nothing is added when it already has
them). Then `kefu run` (gunicorn + Huey consumer, as in production) serves it and the workload
measures: POST /api/v1/tickets per second at 1 and 8 clients; p50/p95 of the open-queue first
page (API and desk), keyword search in the desk and the API for a rare word (`kerberos`, one
ticket in a thousand), a common one (不制冷) and an absent one, the ticket page (desk and API;
in the desk also until its panels have loaded, as a browser loads them) and a reply (API);
and the peak RSS of the server process tree, sampled throughout. Each read figure also gives
`server_cpu_ms`: the CPU time of the server's whole process tree per call, which a jittery
machine moves far less than the latencies.

The reads are measured as `cs_manager` (the whole chain) and, with --readers (default
`region_east,manager_sh001`; empty for none), again as each of those users within their own
scope (a regional manager, a store manager): their figures go under "readers"."""

import argparse
import html
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from http_load import create_tickets, desk_cookie, percentiles, tree_cpu_seconds, wait_up

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
OPEN = "status=new&status=open&status=pending_customer&status=on_hold"
WORDS = {"rare": "kerberos", "common": "不制冷", "absent": "qzxjvwk"}


def env_for(var_dir: str, database_url: str | None, port: int) -> dict:
    env = {
        **os.environ,
        "KEFU_VAR": var_dir,
        "DJANGO_SETTINGS_MODULE": "kefu.settings",
        "PYTHONPATH": str(ROOT / "src"),
        "PORT": str(port),
        "KEFU_WARM_UP": "1",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def kefu(env, *args, capture=True) -> str:
    out = subprocess.run(
        [PY, "-m", "kefu.cli", *args], env=env, capture_output=capture, text=True, check=True
    )
    return (out.stdout or "").strip()


COUNT = """
import django; django.setup()
from kefu.tickets.models import Ticket
print(Ticket.objects.count())
"""


def prepare(env, n: int) -> dict:
    kefu(env, "manage", "migrate", "--noinput", "-v0")
    have = int(
        subprocess.run(
            [PY, "-c", COUNT], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    seeded = None
    if have < n:
        seeded = json.loads(kefu(env, "seed-bench", "--tickets", str(n - have), "--quiet"))
    return {"had": have, "seeded": seeded}


class RssSampler(threading.Thread):
    """Peak resident memory of a process tree, sampled every 0.2 s."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()
        self.idle = None
        self.peaks: dict[int, tuple[str, int]] = {}  # pid: (what it is, its highest RSS in kB)

    def tree_mb(self) -> float:
        total, stack = 0, [self.pid]
        while stack:
            p = stack.pop()
            try:
                for line in Path(f"/proc/{p}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        kb = int(line.split()[1])
                        total += kb
                        name = Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0")[:4]
                        name = b" ".join(n.rsplit(b"/", 1)[-1] for n in name).decode()
                        self.peaks[p] = (name, max(kb, self.peaks.get(p, ("", 0))[1]))
                for task in Path(f"/proc/{p}/task").iterdir():
                    stack.extend(int(c) for c in (task / "children").read_text().split())
            except (FileNotFoundError, ProcessLookupError):
                continue
        return total / 1024

    def run(self):
        while not self.stop.wait(0.2):
            self.peak = max(self.peak, self.tree_mb())


def request(conn, method, path, headers, body=None):
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    return r.status, data


# Untimed calls before each figure (--warm): 1 measures a page as a server that has just
# started serves it; with ~50 every server thread's database connection has run the page's
# statements often enough that PostgreSQL has prepared and planned them once (psycopg prepares
# a statement on its 6th run on a connection, PostgreSQL keeps a generic plan from its 6th
# execution): the figure of a server that has been up for a while.
WARM_CALLS = 1
# The `kefu run` being measured (set by main()): each figure also gives the CPU time its calls
# cost the server's whole process tree, a figure a busy or jittery machine moves far less than
# the latencies.
SERVER_PID = None


def timed(n, once) -> dict:
    """WARM_CALLS calls of once() to warm up, then n timed calls of it: their p50/p95, and the
    server tree's CPU per call (server_cpu_ms)."""
    for _ in range(WARM_CALLS):
        once()
    samples = []
    cpu0 = tree_cpu_seconds(SERVER_PID) if SERVER_PID else None
    for _ in range(n):
        t0 = time.perf_counter()
        once()
        samples.append((time.perf_counter() - t0) * 1000)
    out = percentiles(samples)
    if cpu0 is not None:
        out["server_cpu_ms"] = round((tree_cpu_seconds(SERVER_PID) - cpu0) * 1000 / n, 1)
    return out


def latency(port, path, headers, n, expect=200):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def once():
        status, _ = request(conn, "GET", path, headers)
        assert status == expect, (path, status)

    return timed(n, once)


PANEL_SLOT = re.compile(rb'class="panel-slot" hx-get="([^"]+)"')


def page_with_panels(port, path, headers, n):
    """The desk ticket page until it is complete, as the browser loads it: the page, then the
    request its panel slot sends (htmx), on the same keep-alive connection. p50/p95 of both."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def once():
        status, page = request(conn, "GET", path, headers)
        assert status == 200, (path, status)
        for url in PANEL_SLOT.findall(page):
            status, _ = request(conn, "GET", html.unescape(url.decode()), headers)
            assert status == 200, (url, status)

    return timed(n, once)


def post_tickets(port, tok, seconds, clients):
    body = {
        "type": "fault_report",
        "channel": "api",
        "subject": "骏和 X60 手机充不进电",
        "description": "用了两个月，现在充电很慢，有时候充不进电。",
        "store": "SH001",
        "customer": {"name": "张伟", "phone": "13912345678", "gender": "male"},
    }
    payload = json.dumps(body, ensure_ascii=False).encode()
    run = create_tickets(port, tok, payload, seconds, clients)
    return {"tickets_per_s": round(run["created"] / run["elapsed"], 1), "errors": run["errors"]}


def replies(port, tok, ticket_id, n):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {tok}", "Content-Type": "application/json"}
    samples = []
    for i in range(n):
        body = json.dumps(
            {"body": f"您好，师傅明天上午上门检修，请保持电话畅通。（{i}）", "public": False}
        )
        t0 = time.perf_counter()
        status, data = request(
            conn, "POST", f"/api/v1/tickets/{ticket_id}/replies", headers, body.encode()
        )
        samples.append((time.perf_counter() - t0) * 1000)
        assert status == 201, (status, data[:300])
    return percentiles(samples)


def reads(port, api, desk, ticket_id, n) -> dict:
    """The read figures as one user: open queue, the three searches, the ticket page."""
    out = {
        "open_queue_api": latency(port, f"/api/v1/tickets?{OPEN}", api, n),
        "open_queue_desk": latency(port, "/desk/?view=open", desk, n),
    }
    for kind, word in WORDS.items():
        out[f"search_{kind}_desk"] = latency(port, f"/desk/?q={quote(word)}", desk, n)
        out[f"search_{kind}_api"] = latency(port, f"/api/v1/tickets?q={quote(word)}", api, n)
    out["ticket_page_desk"] = latency(port, f"/desk/tickets/{ticket_id}/", desk, n)
    out["ticket_page_desk_with_panels"] = page_with_panels(
        port, f"/desk/tickets/{ticket_id}/", desk, n
    )
    out["ticket_page_api"] = latency(port, f"/api/v1/tickets/{ticket_id}", api, n)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--database-url")
    ap.add_argument("--var", help="KEFU_VAR (SQLite database, media); default: a temp dir")
    ap.add_argument("--port", type=int, default=8170)
    ap.add_argument("--seconds", type=float, default=10, help="per create phase")
    ap.add_argument("--samples", type=int, default=100, help="requests per latency figure")
    ap.add_argument("--skip-create", action="store_true")
    ap.add_argument("--warm", type=int, default=1, help="untimed calls before each figure")
    ap.add_argument(
        "--readers",
        default="region_east,manager_sh001",
        help="more users whose reads are measured in their own scope (comma-separated)",
    )
    args = ap.parse_args()
    global WARM_CALLS, SERVER_PID
    WARM_CALLS = args.warm
    var_dir = args.var or tempfile.mkdtemp(prefix="kefu-workload-")
    env = env_for(var_dir, args.database_url, args.port)
    prep = prepare(env, args.tickets)
    tok = kefu(env, "token", "cs_manager")
    server = subprocess.Popen(
        [PY, "-m", "kefu.cli", "run"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    SERVER_PID = server.pid
    sampler = RssSampler(server.pid)
    try:
        wait_up(args.port, server)
        time.sleep(2)
        sampler.idle = round(sampler.tree_mb(), 1)
        sampler.start()
        api = {"Authorization": f"Bearer {tok}"}
        desk = {"Cookie": desk_cookie(args.port, "cs_manager")}
        n = args.samples
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        _, data = request(conn, "GET", f"/api/v1/tickets?{OPEN}&limit=25", api)
        items = json.loads(data)["items"]
        # The page is measured on the newest open ticket, the replies go to another one: each
        # run adds up to 50 notes, and the page measured must not grow from run to run.
        ticket_id, replied_id = items[0]["id"], items[-1]["id"]
        result = {
            "bench": "workload",
            "database": "postgresql" if args.database_url else "sqlite",
            "tickets": args.tickets,
            "prepared": prep,
            "uptime_start": Path("/proc/loadavg").read_text().split()[:3],
            **reads(args.port, api, desk, ticket_id, n),
        }
        result["reply_api"] = replies(args.port, tok, replied_id, min(n, 50))
        result["readers"] = {}
        for username in filter(None, args.readers.split(",")):
            their_api = {"Authorization": f"Bearer {kefu(env, 'token', username)}"}
            fresh = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
            _, data = request(fresh, "GET", f"/api/v1/tickets?{OPEN}&limit=1", their_api)
            result["readers"][username] = reads(
                args.port,
                their_api,
                {"Cookie": desk_cookie(args.port, username)},
                json.loads(data)["items"][0]["id"],
                n,
            )
        if not args.skip_create:
            result["create_1_client"] = post_tickets(args.port, tok, args.seconds, 1)
            result["create_8_clients"] = post_tickets(args.port, tok, args.seconds, 8)
        sampler.stop.set()
        result["rss_mb"] = {
            "idle": sampler.idle,
            "peak": round(sampler.peak, 1),
            "peak_by_process": [(n, round(kb / 1024)) for n, kb in sampler.peaks.values()],
        }
        result["uptime"] = Path("/proc/loadavg").read_text().split()[:3]
        print(json.dumps(result, ensure_ascii=False, indent=2))
    finally:
        sampler.stop.set()
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
