"""A real `kefu run` in a subprocess, for the tests that kill its parts: a free port, its own
KEFU_VAR, and a clean-up that stops every process group it started."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the live processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            state = stat.rsplit(")", 1)[1].split()[0]
            if ppid == pid and state != "Z":
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found.append((int(entry.name), cmd))
        except (OSError, ValueError, IndexError):
            continue
    return found


class KefuServer:
    def __init__(self, var: Path, env: dict | None = None, workers: int = 1):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "KEFU_VAR": str(var),
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(workers),
            "DJANGO_SETTINGS_MODULE": "kefu.settings",
            "PYTHONUNBUFFERED": "1",
            # This checkout's code, whichever one the virtualenv was installed from.
            "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
            **(env or {}),
        }
        self.var = var
        self.workers = workers
        self.log = open(var / "kefu-run.log", "wb")  # noqa: SIM115 — closed in stop()
        self.process: subprocess.Popen | None = None
        self.groups: set[int] = set()

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "kefu.cli", "manage", *args],
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start(self, timeout: float = 30) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kefu.cli", "run"],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.groups.add(self.process.pid)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # Every worker forked, not only the first: gunicorn starts them one after another.
            if self.healthy() and self.consumer() and len(self.web_workers()) >= self.workers:
                return
            assert self.process.poll() is None, self.output()
            time.sleep(0.2)
        raise AssertionError(f"kefu run did not come up:\n{self.output()}")

    def output(self, whole: bool = False) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace")
        return text if whole else text[-4000:]

    def healthy(self, timeout: float = 2) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/desk/healthz", timeout=timeout) as r:
                return r.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def _part(self, marker: str) -> int | None:
        for pid, cmd in children_of(self.process.pid):
            if marker in cmd:
                self.groups.add(pid)
                return pid
        return None

    def consumer(self) -> int | None:
        """The task consumer's pid: its own process (KEFU_CONSUMER=process) or the web worker
        that holds the consumer's lock (the default, kefu.web_consumer)."""
        from kefu.web_consumer import LOCK_NAME, holder

        if pid := self._part("run_huey"):
            return pid
        pid = holder(str(self.var / LOCK_NAME))
        return pid if pid in self.web_workers() else None

    def web_master(self) -> int | None:
        return self._part("gunicorn")

    def web_workers(self) -> list[int]:
        master = self.web_master()
        return [pid for pid, _cmd in children_of(master)] if master else []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                pass
        for group in self.groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.process:
            self.process.wait()
        self.log.close()
