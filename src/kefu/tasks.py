"""The Huey instance: SQLite storage by default, Redis when REDIS_URL is set (see settings.HUEY).

Apps define their tasks in <app>/tasks.py, which djhuey imports in every consumer."""

from huey.contrib.djhuey import HUEY as huey  # noqa: F401
