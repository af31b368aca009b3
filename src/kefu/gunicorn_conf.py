"""gunicorn's configuration under `kefu run` (`--config python:kefu.gunicorn_conf`): the server
hooks gunicorn reads from this module. It imports neither Django nor Huey at import time:
gunicorn's master reads it before it preloads Kefu.

- Each worker starts a thread that may become the task consumer (kefu.web_consumer), unless
  KEFU_CONSUMER=process; a worker that exits stops its consumer first.
- After a slow request (a report, an export) the worker gives the freed heap back to the OS
  (kefu.heap)."""

import time

from kefu import heap, web_consumer


def post_worker_init(worker) -> None:
    if web_consumer.enabled():
        web_consumer.start()


def worker_exit(server, worker) -> None:
    web_consumer.stop()


def pre_request(worker, req) -> None:
    req.kefu_started = time.monotonic()


def post_request(worker, req, environ, resp) -> None:
    heap.trim_after(time.monotonic() - getattr(req, "kefu_started", time.monotonic()))
