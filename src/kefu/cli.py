"""The `kefu` command.

kefu run [--dev]     serve Kefu with gunicorn and a Huey consumer (PORT, default 8000)
kefu worker          run a Huey consumer only
kefu demo            load the demo data (idempotent), with a progress bar
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

  Ctrl-C stops the server and the worker.
""",
        flush=True,
    )


def _signal_group(child, sig):
    try:
        os.killpg(child.pid, sig)
    except ProcessLookupError:
        pass


def run(argv):
    port = os.environ.get("PORT", "8000")
    dev = "--dev" in argv
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kefu.settings"}
    _django()
    _banner(port)
    if dev:
        web = [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}"]
    else:
        subprocess.run(
            [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"],
            env=env,
            check=True,
        )
        web = [
            sys.executable,
            "-m",
            "gunicorn",
            "kefu.wsgi:application",
            "--bind",
            f"{os.environ.get('HOST', '127.0.0.1')}:{port}",
            "--workers",
            os.environ.get("WEB_CONCURRENCY", "2"),
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--preload",
            "--graceful-timeout",
            "10",
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(t)s "%(m)s %(U)s" %(s)s %(M)sms',
        ]
    worker = [sys.executable, "-m", "django", "run_huey", "--quiet"]
    # Each child leads its own process group: Ctrl-C reaches only this process, which then stops
    # each group as a whole (gunicorn's workers and Huey's threads included) and waits for them.
    children = [subprocess.Popen(cmd, env=env, start_new_session=True) for cmd in (web, worker)]

    def stop(signum=None, frame=None):
        for child in children:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.wait()

    signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(0)))
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
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


COMMANDS = {"run": run, "worker": worker, "demo": demo, "token": token, "sla": sla}


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
