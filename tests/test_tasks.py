"""The task queue is real: a `kefu worker` process consumes what this process enqueues."""

import datetime
import os
import subprocess
import sys
import time

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.exceptions import ResultTimeout

from kefu.tickets.models import IdempotencyKey
from kefu.tickets.tasks import purge_idempotency_keys
from tests.factories import open_ticket


def test_a_worker_process_runs_enqueued_tasks():
    from kefu.web.tasks import ping

    HUEY.immediate = False  # back to the configured queue (SQLite file in KEFU_VAR, or Redis)
    try:
        HUEY.flush()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kefu.settings"}
        worker = subprocess.Popen(
            [sys.executable, "-m", "kefu.cli", "worker", "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            result = ping("kefu")
            deadline = time.monotonic() + 60
            value = None
            while value is None and time.monotonic() < deadline:
                if worker.poll() is not None:
                    pytest.fail(f"worker exited: {worker.stderr.read().decode()[-2000:]}")
                try:
                    value = result.get(blocking=True, timeout=2)
                except ResultTimeout:
                    continue
            assert value == "pong:kefu"
        finally:
            worker.terminate()
            worker.wait(timeout=20)
    finally:
        HUEY.immediate = True


@pytest.mark.django_db
def test_idempotency_keys_are_forgotten_after_a_week(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"], idempotency_key="old")
    open_ticket(chain["stores"]["SH001"], idempotency_key="new")
    IdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    assert purge_idempotency_keys.call_local() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert ticket.pk  # the ticket itself stays


def test_the_embedded_queue_commits_without_an_fsync_each_time(tmp_path):
    """Issue 14: huey.SqliteHuey leaves SQLite at synchronous=FULL, an fsync per enqueue on the
    request path of every ticket; Kefu's queue runs WAL at NORMAL, like its own database."""
    from kefu.queue_sqlite import KefuSqliteHuey

    queue = KefuSqliteHuey("probe", filename=str(tmp_path / "q.sqlite3"))
    conn = queue.storage.conn
    assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert conn.execute("pragma synchronous").fetchone()[0] == 1  # NORMAL (FULL is 2)
    queue.storage.enqueue(b"task")
    assert queue.storage.dequeue() == b"task"


@pytest.mark.django_db
def test_tasks_nobody_waits_for_leave_no_answer_in_the_result_store():
    """Huey keeps a task's return value until it is read; the messages' tasks are never read,
    so they must not leave one (the store grew by an entry per SMS). Calling the function
    itself still answers, and a task whose answer is awaited (ping) still keeps it."""
    from kefu.channels.services import send_delivery, send_delivery_task
    from kefu.web.tasks import ping

    assert HUEY.immediate  # the tests' queue runs each task as it is enqueued
    before = HUEY.result_count()
    send_delivery_task(987654321)  # no such delivery: the function answers "missing"
    assert HUEY.result_count() == before
    assert send_delivery(987654321) == "missing"
    answer = ping("x")
    assert HUEY.result_count() == before + 1 and answer.get() == "pong:x"
    assert send_delivery_task.name == "send_delivery"  # tasks queued before keep running
