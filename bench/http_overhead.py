"""What a request costs the web server beside Django's own work; prints JSON.

    .venv/bin/python bench/http_overhead.py [--seconds 4] [--rounds 3] [--port 8175]

The same request — an unknown address, which runs the whole middleware stack, the URL map and
the 404 page and touches no table — answered three ways, one client, one keep-alive
connection, on 127.0.0.1:

- in-process: Django's WSGI handler called directly (no socket, no server);
- gthread: gunicorn's threaded worker, as `kefu run` serves (1 worker, 4 threads, preloaded,
  Kefu's hooks), the access log to /dev/null;
- sync: gunicorn's sync worker (WEB_THREADS=1, the peer's configuration in issue 14);
- granian: Granian's WSGI server (HTTP parsed in Rust; 1 worker, 4 blocking threads), only
  when it is importable (not a dependency: `.venv/bin/pip install granian` to include it).

For each: the round trip in ms (wall clock, client included) and the server's CPU per request
(user + system of gunicorn's tree from /proc, or of this process in-process), over --rounds
rounds of --seconds each. The server's CPU beyond the in-process figure is what HTTP and the
worker's hand-offs between its threads cost every request, a ticket's creation included."""

import argparse
import http.client
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from http_load import CLK, tree_cpu_seconds, wait_up

ROOT = Path(__file__).resolve().parent.parent
PATH = "/no-such-page/"


def env_for(var: str) -> dict:
    return {
        **os.environ,
        "KEFU_VAR": var,
        "DJANGO_SETTINGS_MODULE": "kefu.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }


def in_process(var: str, seconds: float, rounds: int) -> list[dict]:
    code = f"""
import json, os, time
import django; django.setup()
import logging; logging.disable(logging.WARNING)
from django.core.handlers.wsgi import WSGIHandler
from django.test.client import RequestFactory
handler, environ = WSGIHandler(), RequestFactory().get({PATH!r}).environ
def answer():
    body = handler(dict(environ), lambda status, headers: None)
    b"".join(body); body.close()
for _ in range(200): answer()
out = []
for _ in range({rounds}):
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < {seconds}:
        answer(); n += 1
    out.append({{"round_trip_ms": (time.perf_counter() - t0) / n * 1000,
                 "server_cpu_ms": (time.process_time() - c0) / n * 1000}})
print(json.dumps(out))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], env=env_for(var), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def gunicorn(worker_class: str, threads: str, port: int) -> list[str]:
    return [
        *(sys.executable, "-m", "gunicorn", "kefu.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", threads),
        *("--worker-class", worker_class, "--preload", "--access-logfile", "/dev/null"),
        *("--config", "python:kefu.gunicorn_conf", "--no-control-socket"),
        *(["--worker-tmp-dir", "/dev/shm"] if os.path.isdir("/dev/shm") else []),
    ]


def granian(port: int) -> list[str]:
    return [
        *(sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1"),
        *("--port", str(port), "--workers", "1", "--blocking-threads", "4", "--no-ws"),
        *("--log-level", "warning", "kefu.wsgi:application"),
    ]


def served(var: str, command: list[str], port: int, seconds, rounds) -> list[dict]:
    server = subprocess.Popen(
        command,
        env=env_for(var),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_up(port, server, timeout=60, what=command[2])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(200):
            conn.request("GET", PATH)
            conn.getresponse().read()
        out = []
        for _ in range(rounds):
            n, t0, c0 = 0, time.perf_counter(), tree_cpu_seconds(server.pid)
            while time.perf_counter() - t0 < seconds:
                conn.request("GET", PATH)
                answer = conn.getresponse()
                answer.read()
                n += 1
            cpu = tree_cpu_seconds(server.pid) - c0
            out.append(
                {
                    "round_trip_ms": (time.perf_counter() - t0) / n * 1000,
                    "server_cpu_ms": cpu / n * 1000,
                    "status": answer.status,
                }
            )
        return out
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=4)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--port", type=int, default=8175)
    args = ap.parse_args()
    var = tempfile.mkdtemp(prefix="kefu-http-overhead-")
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=env_for(var), check=True)
    # The task consumer stays out of the web workers here (kefu.gunicorn_conf would start one
    # in gunicorn's worker only): the figures are the server's and Django's alone.
    os.environ["KEFU_CONSUMER"] = "process"
    rounds = (args.seconds, args.rounds)
    ways = {
        "in_process": in_process(var, *rounds),
        "gthread": served(var, gunicorn("gthread", "4", args.port), args.port, *rounds),
        "sync": served(var, gunicorn("sync", "1", args.port + 1), args.port + 1, *rounds),
    }
    if importlib.util.find_spec("granian") is not None:
        ways["granian"] = served(var, granian(args.port + 2), args.port + 2, *rounds)
    print(
        json.dumps(
            {
                "bench": "http_overhead",
                "path": PATH,
                "clock_ticks_per_s": CLK,
                **{
                    way: {
                        key: [round(r[key], 3) for r in runs]
                        for key in ("round_trip_ms", "server_cpu_ms")
                    }
                    for way, runs in ways.items()
                },
                "load": os.getloadavg(),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
