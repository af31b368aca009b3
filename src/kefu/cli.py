"""The `kefu` command.

kefu run [--dev]     serve Kefu with gunicorn and a Huey consumer (PORT, default 8000;
                     WEB_CONCURRENCY workers, default 2, of WEB_THREADS threads, default 4;
                     the consumer runs in one web worker, or alone with KEFU_CONSUMER=process)
kefu worker          run a Huey consumer only
kefu demo            load the demo data (idempotent), with a progress bar
kefu seed-bench --tickets N [--database-url URL]   add N generated tickets (benchmarks)
kefu token USERNAME  print that user's API token, creating it if needed
kefu sla due --calendar NAME --start ISO --hours H   the due time H business hours after START
kefu sla sweep       run one SLA breach sweep now and print what it did
kefu manage ...      any Django management command
"""

import os
import signal
import subprocess
import sys
import time
import traceback

from kefu import web_consumer


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    import django

    django.setup()


def manage(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kefu manage", *argv])


def token(argv):
    if len(argv) != 1:
        print("usage: kefu token USERNAME", file=sys.stderr)
        return 2
    _django()
    from kefu.org.services import token_for

    try:
        print(token_for(argv[0]))
    except LookupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def demo(argv):
    _django()
    from kefu.web.demo import load_demo

    load_demo(progress=True, out=sys.stderr)
    return 0


def seed_bench(argv):
    import argparse

    parser = argparse.ArgumentParser(prog="kefu seed-bench")
    parser.add_argument("--tickets", type=int, required=True)
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the SQLite file")
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    _django()
    import json

    from django.core.management import call_command

    from kefu.web.seedbench import seed_bench as run_seed

    call_command("migrate", verbosity=0)
    print(
        json.dumps(run_seed(args.tickets, progress=not args.quiet, batch=args.batch)),
        flush=True,
    )
    return 0


def _banner(port: str):
    from kefu.web.demo import DEMO_PASSWORD, DEMO_USERS

    base = f"http://127.0.0.1:{port}"
    print(
        f"""
  Kefu 客服 is running.
    Customer portal  {base}/
    Agent desk       {base}/desk/
    Admin            {base}/admin/
    API docs         {base}/api/v1/docs   (OpenAPI: {base}/api/v1/openapi.json)

  Demo logins (password for all: {DEMO_PASSWORD}; demo data only):
    {", ".join(u for u, *_ in DEMO_USERS)}

  Ctrl-C stops the server and its task consumer.
""",
        flush=True,
    )


def _signal_group(child, sig):
    try:
        os.killpg(child.pid, sig)
    except ProcessLookupError:
        pass


def _log(message: str) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    print(f"[{stamp}] kefu run: {message}", file=sys.stderr, flush=True)


class Part:
    """One supervised part of the embedded server (the web server or the Huey consumer).

    A part that dies is started again after a pause that doubles with each quick death (0.5 s,
    1 s, 2 s … at most BACKOFF_MAX), so a part that cannot start does not spin the CPU; once it
    has stayed up for STABLE seconds the pause starts small again. The other parts keep running:
    a dead consumer never takes the web down (issue 10)."""

    BACKOFF_FIRST = 0.5
    BACKOFF_MAX = 30.0
    STABLE = 60.0

    def __init__(self, name: str, cmd: list[str], env: dict):
        self.name, self.cmd, self.env = name, cmd, env
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.backoff = self.BACKOFF_FIRST
        self.restart_at: float | None = None

    def start(self) -> None:
        # Each part leads its own process group: Ctrl-C reaches only the supervisor, which then
        # stops each group as a whole (gunicorn's workers and Huey's threads included).
        self.process = subprocess.Popen(self.cmd, env=self.env, start_new_session=True)
        self.started_at = time.monotonic()
        self.restart_at = None

    def check(self) -> None:
        """Restart the part if it has died and its pause is over."""
        now = time.monotonic()
        if self.restart_at is not None:
            if now >= self.restart_at:
                _log(f"restarting the {self.name}")
                self.start()
            return
        code = self.process.poll() if self.process else None
        if code is None:
            return
        if now - self.started_at >= self.STABLE:
            self.backoff = self.BACKOFF_FIRST
        _log(
            f"the {self.name} (pid {self.process.pid}) exited with {code}; restarting in {self.backoff:g} s"
        )
        # Whatever the dead leader left in its group (a gunicorn worker, say) goes too.
        _signal_group(self.process, signal.SIGKILL)
        self.restart_at = now + self.backoff
        self.backoff = min(self.backoff * 2, self.BACKOFF_MAX)

    def stop(self, deadline: float) -> None:
        if self.process is None or self.restart_at is not None:
            return
        try:
            self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(self.process, signal.SIGKILL)
            self.process.wait()


def gunicorn_command(port: str) -> list[str]:
    """gunicorn's command line: its hooks (kefu.gunicorn_conf) run the task consumer in one
    worker at a time, unless KEFU_CONSUMER=process."""
    threads = os.environ.get("WEB_THREADS", "4")
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "kefu.wsgi:application",
        "--bind",
        f"{os.environ.get('HOST', '127.0.0.1')}:{port}",
        "--workers",
        os.environ.get("WEB_CONCURRENCY", "2"),
        # WEB_THREADS=1 gives gunicorn's sync workers (the peer's configuration in issue 14).
        "--threads",
        threads,
        "--worker-class",
        "gthread" if threads != "1" else "sync",
        "--preload",
        "--graceful-timeout",
        "10",
        # Bounds on what a request may send before Django sees it: the request line (an URL
        # longer than this answers 414), the number and size of its headers. Bodies are bounded
        # by Django (kefu.web.middleware.BoundRequestBodyMiddleware and the upload handler).
        "--limit-request-line",
        "8190",
        "--limit-request-fields",
        "100",
        "--limit-request-field_size",
        "8190",
        # Not the shared ~/.gunicorn/gunicorn.ctl: a second Kefu on the machine would take it.
        "--no-control-socket",
        # Each worker touches its heartbeat file on every loop; on a disk-backed /tmp that was
        # ~5 % of a worker's CPU under load (issue 14). Memory-backed where there is one.
        *(["--worker-tmp-dir", "/dev/shm"] if os.path.isdir("/dev/shm") else []),
        "--access-logfile",
        "-",
        "--access-logformat",
        '%(t)s "%(m)s %(U)s" %(s)s %(M)sms',
        "--config",
        "python:kefu.gunicorn_conf",
    ]


def run(argv):
    port = os.environ.get("PORT", "8000")
    dev = "--dev" in argv
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kefu.settings"}
    # glibc gives each thread its own malloc arena; with 4 threads per worker that fragments
    # the heap and each worker's RSS creeps up under load. Two arenas are plenty for threads
    # that mostly wait on the database (issue 14).
    env.setdefault("MALLOC_ARENA_MAX", "2")
    # The supervisor stays a small process without Django (it only starts and restarts the
    # parts): the banner, which needs the demo's names, is printed by a child that exits.
    # Loading Django here cost the tree ~80 MB RSS for nothing (issue 14).
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child prints and exits
        code = 1
        try:
            _django()
            _banner(port)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return 1  # Kefu cannot start (its traceback is above), as before the fork
    if dev:
        web = [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}"]
    else:
        subprocess.run(
            [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"],
            env=env,
            check=True,
        )
        web = gunicorn_command(port)
    parts = [Part("web server", web, env)]
    if dev or not web_consumer.enabled():
        worker = [sys.executable, "-m", "django", "run_huey", "--quiet"]
        parts.append(Part("task consumer", worker, env))
    # gunicorn's master restarts its own dead workers (and with them the consumer inside one,
    # see kefu.web_consumer); this loop restarts a dead master or consumer process. Neither's
    # death stops the other.
    for part in parts:
        part.start()
    stopping = False

    def stop(signum=None, frame=None):
        nonlocal stopping
        if stopping:
            return
        stopping = True
        for part in parts:
            if part.process is not None and part.restart_at is None:
                _signal_group(part.process, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for part in parts:
            part.stop(deadline)

    def on_term(signum, frame):
        # A second signal while the first one's stop() runs (timeout(1) and make both pass on
        # SIGTERM) must not exit half-way: that left gunicorn running without its supervisor.
        if not stopping:
            stop()
            sys.exit(0)

    signal.signal(signal.SIGTERM, on_term)
    try:
        while True:
            for part in parts:
                part.check()
            time.sleep(0.25)
    except KeyboardInterrupt:
        print("\nStopping Kefu …", file=sys.stderr)
    finally:
        stop()
    return 0


def worker(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    manage(["run_huey", *argv])
    return 0


def sla(argv):
    _django()
    from kefu.sla.cli import main as sla_main

    return sla_main(argv)


COMMANDS = {
    "run": run,
    "seed-bench": seed_bench,
    "worker": worker,
    "demo": demo,
    "token": token,
    "sla": sla,
}


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__.strip())
        return 0
    command, rest = argv[0], argv[1:]
    if command == "manage":
        manage(rest)
        return 0
    if command not in COMMANDS:
        print(f"kefu: unknown command {command!r}\n\n{__doc__.strip()}", file=sys.stderr)
        return 2
    return COMMANDS[command](rest) or 0


if __name__ == "__main__":
    sys.exit(main())
