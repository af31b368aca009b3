"""What the HTTP benchmarks share: signing in to the desk, creating tickets and reading a page
from N clients, and the server's process tree with its CPU time.

Imported by bench/api_tickets.py, bench/create_tickets.py, bench/nodes.py, bench/page_profile.py
and bench/workload.py (run as scripts, so this folder is on sys.path)."""

import http.client
import os
import re
import statistics
import threading
import time
from pathlib import Path

CLK = os.sysconf("SC_CLK_TCK")

# The ticket every creation benchmark opens through `POST /api/v1/tickets`: a complaint at the
# Shanghai store for a returning customer (matched by the mobile number).
NEW_TICKET = {
    "type": "complaint",
    "channel": "api",
    "subject": "空调漏水",
    "description": "客厅空调一直滴水，师傅上门看过还是漏",
    "store": "SH001",
    "customer": {"name": "张伟", "phone": "13912345678", "gender": "male"},
}


def tree(pid: int) -> list[int]:
    """The process and all its descendants (pids)."""
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        try:
            children = []
            for task in Path(f"/proc/{p}/task").iterdir():
                children += Path(f"/proc/{p}/task/{task.name}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        out.append(p)
        stack.extend(int(c) for c in children)
    return out


def stat_ticks(pid: int) -> int:
    """User + system CPU ticks of a process (all its threads, and its reaped children)."""
    return sum(
        int(x) for x in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:15]
    )


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process tree so far."""
    ticks = 0
    for p in tree(pid):
        try:
            ticks += stat_ticks(p)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return ticks / CLK


def wait_up(port: int, server, timeout: float = 120, what: str = "kefu run") -> None:
    """Until the server on 127.0.0.1:``port`` answers /desk/healthz with 200; SystemExit if
    the process ``server`` (a Popen) exits first or nothing answers within ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{what} exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/desk/healthz")
            answer = conn.getresponse()
            answer.read()
            if answer.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{what} did not answer on /desk/healthz within {timeout:.0f} s")


def desk_cookie(port: int, username: str, password: str = "kefu-demo-2026") -> str:
    """Sign in at /desk/login/ as the demo user; the Cookie header of the session."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/desk/login/")
    r = conn.getresponse()
    html = r.read().decode()
    csrf = re.search(r"csrftoken=([^;]+)", r.getheader("Set-Cookie")).group(1)
    mw = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    conn.request(
        "POST",
        "/desk/login/",
        body=f"username={username}&password={password}&csrfmiddlewaretoken={mw}",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Origin": f"http://127.0.0.1:{port}",
            "Referer": f"http://127.0.0.1:{port}/desk/login/",
        },
    )
    r = conn.getresponse()
    r.read()
    session = re.search(r"sessionid=([^;]+)", r.getheader("Set-Cookie") or "").group(1)
    return f"sessionid={session}; csrftoken={csrf}"


def percentiles(samples: list[float]) -> dict:
    """p50 and p95 of latencies in ms (None for no samples)."""
    if not samples:
        return {"p50_ms": None, "p95_ms": None}
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
    }


def run_clients(clients: int, worker) -> float:
    """worker(i) for i in range(clients), each in its own thread; the seconds until all end."""
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - t0


def create_tickets(port: int, tok: str, payload: bytes, seconds: float, clients: int) -> dict:
    """POST /api/v1/tickets from `clients` threads for `seconds`, each on its own keep-alive
    connection: {created, errors, elapsed}."""
    counts, errors = [0] * clients, [0] * clients
    stop = time.monotonic() + seconds

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Bearer {tok}", "Content-Type": "application/json"}
        while time.monotonic() < stop:
            conn.request("POST", "/api/v1/tickets", body=payload, headers=headers)
            r = conn.getresponse()
            r.read()
            if r.status == 201:
                counts[i] += 1
            else:
                errors[i] += 1

    elapsed = run_clients(clients, worker)
    return {"created": sum(counts), "errors": sum(errors), "elapsed": elapsed}


def read_pages(port: int, headers: dict, path: str, seconds: float, clients: int) -> dict:
    """GET `path` from `clients` threads for `seconds`, each on its own keep-alive connection:
    {pages, errors, elapsed, p50_ms, p95_ms}."""
    samples, errors = [[] for _ in range(clients)], [0] * clients
    stop = time.monotonic() + seconds

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            r.read()
            if r.status == 200:
                samples[i].append((time.perf_counter() - t0) * 1000)
            else:
                errors[i] += 1

    elapsed = run_clients(clients, worker)
    every = [x for s in samples for x in s]
    return {"pages": len(every), "errors": sum(errors), "elapsed": elapsed, **percentiles(every)}
