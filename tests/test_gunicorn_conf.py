"""gunicorn's hooks under `kefu run` (kefu.gunicorn_conf, issue 14)."""

import sys
import threading

from kefu import gunicorn_conf


def test_a_worker_switches_threads_every_millisecond_and_may_leave_the_consumer_out(
    monkeypatch,
):
    monkeypatch.setenv("KEFU_CONSUMER", "process")
    before = sys.getswitchinterval()
    try:
        gunicorn_conf.post_worker_init(worker=None)
        assert sys.getswitchinterval() == gunicorn_conf.SWITCH_INTERVAL == 0.001
        assert "kefu-task-consumer" not in {t.name for t in threading.enumerate()}
    finally:
        sys.setswitchinterval(before)


def test_a_request_that_took_long_trims_the_heap(monkeypatch):
    calls = []
    monkeypatch.setattr(gunicorn_conf.heap, "trim_after", calls.append)

    class Request:
        pass

    req = Request()
    gunicorn_conf.pre_request(None, req)
    req.kefu_started -= 0.5  # as if it had started half a second ago
    gunicorn_conf.post_request(None, req, {}, None)
    assert len(calls) == 1 and calls[0] >= 0.5
