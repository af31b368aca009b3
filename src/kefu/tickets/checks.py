"""What may refuse a change to a ticket, listed in one place and run in this order.

A check is a function that takes the attempted change and either returns warnings (a list of
dicts that travel back to the caller, e.g. service-language hints) or refuses the change by
raising a ``kefu.errors.KefuError``. Checks run inside the service's transaction, after the
ticket is locked and before anything is written. They belong to the apps above ``tickets``;
this module names them by dotted path, so ``tickets`` does not import those apps.

Django signals (``kefu.tickets.signals``) are for after-the-fact effects only: clocks,
surveys, notifications. A rule that can say no lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.utils.module_loading import import_string

from .models import Ticket


@dataclass(frozen=True)
class ReplyAttempt:
    """A public reply or an internal note about to be written."""

    ticket: Ticket
    actor: Any
    body: str
    public: bool
    override: bool = False  # the sender asks to send despite a refusal, where policy allows


@dataclass(frozen=True)
class StatusMove:
    """A status change about to be written (``actor`` None: the system, e.g. a reopen)."""

    ticket: Ticket
    actor: Any
    previous: str
    status: str


class ReplyCheck(Protocol):
    def __call__(self, attempt: ReplyAttempt) -> list[dict]: ...


class StatusCheck(Protocol):
    def __call__(self, move: StatusMove) -> None: ...


# The registry, in running order.
REPLY_CHECKS: tuple[str, ...] = (
    # A public reply with a forbidden service phrase (服务禁语) is refused, unless an allowed
    # role overrides; other findings come back as warnings.
    "kefu.quality.checks.forbidden_phrases",
)
STATUS_CHECKS: tuple[str, ...] = (
    # A complaint is resolved (or closed) only once its root cause is recorded.
    "kefu.quality.checks.root_cause_recorded",
)


@cache
def _load(paths: tuple[str, ...]) -> tuple:
    return tuple(import_string(path) for path in paths)


def check_reply(attempt: ReplyAttempt) -> list[dict]:
    """Run every reply check; their warnings, in order. A refusal raises."""
    return [w for check in _load(REPLY_CHECKS) for w in (check(attempt) or ())]


def check_status(move: StatusMove) -> None:
    """Run every status check; a refusal raises."""
    for check in _load(STATUS_CHECKS):
        check(move)
