"""`kefu run` supervises its parts (issue 10, item 2): a consumer or web worker killed with
SIGKILL comes back, and the web keeps answering meanwhile. The task consumer runs inside one
of the web workers (kefu.web_consumer, issue 14); with KEFU_CONSUMER=process it is a process
of its own, restarted by the supervisor."""

import os
import signal
import time

import pytest

from .server import KefuServer


def start(tmp_path_factory, name: str, **env) -> KefuServer:
    # /desk/healthz needs no tables, so no migrate (20 s saved).
    kefu = KefuServer(tmp_path_factory.mktemp(name), env=env, workers=2)
    kefu.env.pop("DATABASE_URL", None)
    kefu.start()
    return kefu


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    kefu = start(tmp_path_factory, "kefu-run")
    yield kefu
    kefu.stop()


def wait_for(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    return None


def kill_and_watch(server: KefuServer, pid: int) -> float:
    """SIGKILL ``pid``; the web must answer throughout the next 3 s (gunicorn used to shut down
    2 s after the consumer died). Returns when it was killed."""
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    while time.monotonic() - killed_at < 3:
        assert server.healthy(), server.output()
        time.sleep(0.2)
    return killed_at


def test_the_consumer_runs_in_one_web_worker_and_another_takes_over_when_it_dies(server):
    first = server.consumer()
    workers = server.web_workers()
    assert first in workers and len(workers) == 2
    assert not server._part("run_huey")  # no consumer process of its own
    other = next(pid for pid in workers if pid != first)
    killed_at = kill_and_watch(server, first)
    # The other worker, waiting for the lock, took over at once; gunicorn replaced the dead one.
    assert server.consumer() == other
    assert time.monotonic() - killed_at < 10
    assert wait_for(lambda: len(server.web_workers()) == 2, timeout=10)
    assert server.healthy() and server.process.poll() is None
    log = server.output(whole=True)
    assert f"task consumer running in web worker {other}" in log


def test_the_consumer_in_the_web_worker_runs_queued_tasks(server):
    """A round trip through the server's own queue (its KEFU_VAR's SQLite file): the consumer
    inside the web worker takes the task and stores its answer."""
    from kefu.queue_sqlite import KefuSqliteHuey
    from kefu.web.tasks import ping

    queue = KefuSqliteHuey("kefu", filename=str(server.var / "huey.sqlite3"))
    remote_ping = queue.task(name=ping.name)(ping.func)
    assert remote_ping("kefu").get(blocking=True, timeout=20) == "pong:kefu"


def test_a_killed_web_worker_is_replaced(server):
    consumer = server.consumer()
    worker = next(pid for pid in server.web_workers() if pid != consumer)
    os.kill(worker, signal.SIGKILL)
    # gunicorn forks a replacement: two workers again, the killed one not among them.
    assert wait_for(lambda: len(ws := server.web_workers()) == 2 and worker not in ws, timeout=10)
    assert wait_for(server.healthy, timeout=10)
    assert server.consumer() == consumer  # the consumer never noticed


def test_a_killed_web_server_is_restarted_with_its_consumer(server):
    master = server.web_master()
    consumer = server.consumer()
    os.killpg(master, signal.SIGKILL)
    assert wait_for(lambda: (pid := server.web_master()) and pid != master, timeout=10)
    assert wait_for(server.healthy, timeout=15), server.output()
    assert wait_for(lambda: (pid := server.consumer()) and pid != consumer, timeout=10)


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


def test_a_consumer_process_of_its_own_is_restarted_and_the_web_keeps_serving(tmp_path_factory):
    server = start(tmp_path_factory, "kefu-run-process", KEFU_CONSUMER="process")
    try:
        first = server._part("run_huey")
        assert first and server.consumer() == first
        killed_at = kill_and_watch(server, first)
        back = wait_for(lambda: (pid := server.consumer()) and pid != first and pid, timeout=10)
        assert back, f"no consumer within 10 s:\n{server.output()}"
        assert time.monotonic() - killed_at < 10
        log = server.output(whole=True)  # the supervisor logged it (the tail may be other output)
        assert "the task consumer" in log and "restarting the task consumer" in log
    finally:
        server.stop()
