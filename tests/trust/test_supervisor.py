"""`kefu run` supervises its parts (issue 10, item 2): a consumer or web worker killed with
SIGKILL comes back, and the web keeps answering meanwhile."""

import os
import signal
import time

import pytest

from .server import KefuServer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # One server for the module; /desk/healthz needs no tables, so no migrate (20 s saved).
    kefu = KefuServer(tmp_path_factory.mktemp("kefu-run"))
    kefu.env.pop("DATABASE_URL", None)
    kefu.start()
    yield kefu
    kefu.stop()


def wait_for(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    return None


def test_a_killed_consumer_is_restarted_and_the_web_keeps_serving(server):
    first = server.consumer()
    os.kill(first, signal.SIGKILL)
    killed_at = time.monotonic()
    answered = 0
    # The web answers throughout (gunicorn used to shut down 2 s after the consumer died).
    while time.monotonic() - killed_at < 3:
        assert server.healthy(), server.output()
        answered += 1
        time.sleep(0.2)
    back = wait_for(lambda: (pid := server.consumer()) and pid != first and pid, timeout=10)
    assert back, f"no consumer within 10 s:\n{server.output()}"
    assert time.monotonic() - killed_at < 10
    assert server.healthy() and server.process.poll() is None
    log = server.output(whole=True)  # the supervisor logged it (the tail may be other output)
    assert "the task consumer" in log and "restarting the task consumer" in log


def test_a_killed_web_worker_is_replaced(server):
    (worker,) = server.web_workers()
    os.kill(worker, signal.SIGKILL)
    assert wait_for(lambda: [p for p in server.web_workers() if p != worker], timeout=10)
    assert wait_for(server.healthy, timeout=10)
    assert server.consumer()


def test_a_killed_web_server_is_restarted(server):
    master = server.web_master()
    consumer = server.consumer()
    os.killpg(master, signal.SIGKILL)
    assert wait_for(lambda: (pid := server.web_master()) and pid != master, timeout=10)
    assert wait_for(server.healthy, timeout=15), server.output()
    assert server.consumer() == consumer  # the consumer never noticed


def test_the_supervisor_stays_small_and_the_parts_share_their_heap(server):
    """Issue 14: the supervisor only starts and restarts the parts, so it loads no Django (it
    used to hold ~80 MB for a banner); the parts run with two malloc arenas."""
    from pathlib import Path

    pid = server.process.pid
    maps = Path(f"/proc/{pid}/maps").read_text()
    assert "_pydantic_core" not in maps and "psycopg" not in maps
    rss_kb = int(Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()[0])
    assert rss_kb < 40_000, rss_kb
    assert "Kefu 客服 is running" in server.output(whole=True)  # the forked child's banner
    master = server.web_master()
    environ = Path(f"/proc/{master}/environ").read_bytes().split(b"\0")
    assert b"MALLOC_ARENA_MAX=2" in environ
