"""gunicorn's configuration under `kefu run` (`--config python:kefu.gunicorn_conf`): the server
hooks gunicorn reads from this module. It imports neither Django nor Huey at import time:
gunicorn's master reads it before it preloads Kefu.

- Each worker starts a thread that may become the task consumer (kefu.web_consumer), unless
  KEFU_CONSUMER=process; a worker that exits stops its consumer first.
- Each worker's threads take turns on the GIL every millisecond instead of Python's 5: a
  request thread whose database answer has arrived waited up to 5 ms behind the consumer's
  threads for each of a ticket's ~17 statements (PostgreSQL, 1 client: 80 → 116 tickets/s;
  KEFU_SWITCH_INTERVAL, in seconds).
- After a slow request (a report, an export) the worker gives the freed heap back to the OS
  (kefu.heap)."""

import os
import sys
import time

from kefu import heap, web_consumer

SWITCH_INTERVAL = float(os.environ.get("KEFU_SWITCH_INTERVAL", "0.001"))


def post_worker_init(worker) -> None:
    sys.setswitchinterval(SWITCH_INTERVAL)
    if web_consumer.enabled():
        web_consumer.start()


def worker_exit(server, worker) -> None:
    web_consumer.stop()


def pre_request(worker, req) -> None:
    req.kefu_started = time.monotonic()


def post_request(worker, req, environ, resp) -> None:
    heap.trim_after(time.monotonic() - getattr(req, "kefu_started", time.monotonic()))
