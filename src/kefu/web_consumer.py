"""The Huey task consumer inside the web server's workers: `kefu run`'s default (issue 14).

A consumer in its own process held ~90 MB (its own Django, models, templates and
dictionaries) to send a few SMS and sweep the SLA clocks once a minute. Here gunicorn's
workers, which already hold all of that, share the job: each worker starts a thread that
waits for an exclusive lock on ``KEFU_VAR/task-consumer.lock``; the worker that gets it runs
Huey's consumer (its worker threads and scheduler, as `kefu worker` would) until it exits.
When that worker dies, however it dies, the kernel releases the lock and the thread waiting
in another worker takes over within a moment; the worker gunicorn starts in its place queues
up behind it. Exactly one consumer runs per `kefu run`, and tasks queued meanwhile wait in
the queue (SQLite or Redis), as they do while a consumer process restarts.

gunicorn's hooks (kefu.gunicorn_conf) call `start` in each new worker and `stop` when one
exits. `KEFU_CONSUMER=process` makes `kefu run` start the consumer as a process of its own instead
(as `kefu worker` does on a machine of its own)."""

import fcntl
import logging
import os
import threading
import time

from kefu import heap

LOCK_NAME = "task-consumer.lock"
# SQLite's page cache of each consumer thread's connection (KB): its reads are one-off, the
# web threads' caches are what the desk's pages read again.
TASK_CACHE_KB = 2000

logger = logging.getLogger("kefu.web_consumer")
_running = {}  # "consumer": the Huey consumer this worker runs, once it holds the lock


def enabled() -> bool:
    """Whether `kefu run` runs the task consumer inside its web workers (the default) or as a
    process of its own (KEFU_CONSUMER=process; always so with --dev)."""
    return os.environ.get("KEFU_CONSUMER", "web") != "process"


def lock_path() -> str:
    from django.conf import settings

    return str(settings.VAR_DIR / LOCK_NAME)


def holder(path: str) -> int | None:
    """The pid of the worker running the consumer, as it wrote it into the lock file."""
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _name_thread() -> None:
    """Name the calling thread `kefu-consumer` for the OS (top -H, /proc/<pid>/task/*/comm):
    which of a worker's threads are the consumer's, for people and for bench/."""
    import ctypes

    try:
        ctypes.CDLL(None).prctl(15, b"kefu-consumer", 0, 0, 0)  # PR_SET_NAME, Linux only
    except (OSError, AttributeError):
        pass


def _consumer():
    from django.conf import settings
    from django.utils.module_loading import autodiscover_modules
    from huey.consumer import Consumer, Scheduler, Worker
    from huey.consumer_options import ConsumerConfig
    from huey.contrib.djhuey import HUEY

    def initialize_thread():
        _name_thread()
        if settings.DATABASES["default"]["ENGINE"] == "kefu.sqlite_backend":
            from kefu.sqlite_backend.base import thread_cache_kb

            thread_cache_kb(TASK_CACHE_KB)

    class NamedWorker(Worker):
        def initialize(self):
            initialize_thread()
            super().initialize()

        def loop(self, now=None):
            count, started = self.task_count, time.monotonic()
            super().loop(now)  # takes a task and runs it, or waits for one
            if self.task_count != count:
                heap.trim_after(time.monotonic() - started)

    class NamedScheduler(Scheduler):
        def initialize(self):
            initialize_thread()
            super().initialize()

    class InWorkerConsumer(Consumer):
        worker_class, scheduler_class = NamedWorker, NamedScheduler

        def _set_signal_handlers(self):
            """The worker's signals are gunicorn's: it stops the consumer in worker_exit."""

    # As `kefu run`'s consumer process (run_huey --quiet): a line per task only for failures.
    logging.getLogger("huey").setLevel(logging.WARNING)
    autodiscover_modules("tasks")  # the periodic tasks, as run_huey imports them
    options = {"shutdown_timeout": 5, **settings.HUEY.get("consumer", {})}
    config = ConsumerConfig(**options)
    config.validate()
    return InWorkerConsumer(HUEY, **config.values)


def _wait_and_consume(path: str) -> None:
    from huey.consumer import ConsumerStopped

    _name_thread()
    pause = 1.0
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)  # blocks (without the GIL) while another worker runs it
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        started = time.monotonic()
        try:
            consumer = _running["consumer"] = _consumer()
            consumer.start()
            logger.info("task consumer running in web worker %s", os.getpid())
            checked = started
            while True:
                try:
                    checked = consumer.loop(checked)
                except ConsumerStopped:
                    break
            consumer.huey.notify_interrupted_tasks()
            return  # stopped by worker_exit: the lock goes with the process
        except Exception:
            # A consumer that cannot start gives the lock up and tries again later, in this
            # worker or another; the web keeps serving meanwhile.
            logger.exception("the task consumer failed; retrying in %g s", pause)
        _running.pop("consumer", None)
        os.close(fd)
        pause = 1.0 if time.monotonic() - started > 60 else min(pause * 2, 60.0)
        time.sleep(pause)


def start() -> None:
    """In a new web worker: wait for the lock in a thread of its own, then run the consumer."""
    threading.Thread(
        target=_wait_and_consume, args=(lock_path(),), name="kefu-task-consumer", daemon=True
    ).start()


def stop() -> None:
    """In a web worker that stops (gunicorn's graceful stop): its consumer, if it runs one,
    finishes the task at hand (up to 5 s) before the lock passes on."""
    consumer = _running.pop("consumer", None)
    if consumer is not None:
        consumer.stop(graceful=True)
