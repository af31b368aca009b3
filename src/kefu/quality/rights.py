"""Who may do what with service quality (rules as data, like kefu.org.roles.CAPABILITIES).

Ticket work (ticking the complaint guide, writing the summary, picking a root cause) uses the
ticket capabilities of kefu.org.roles ("reply", "status"); these rights are the quality-only
ones. Who may send a reply despite a forbidden phrase is not here: it is a manager's
setting (QualityPolicy.allow_override_roles), editable without a release."""

from kefu.org.roles import Role
from kefu.org.selectors import staff_of

RIGHTS: dict[str, set[str]] = {
    # Score tickets (质检) and work the weekly sample queue.
    "review": {Role.QA_MONITOR, Role.CS_MANAGER, Role.ADMIN},
    # Per-agent and per-store scorecard summaries, within the reader's scope.
    "summaries": {
        Role.QA_MONITOR,
        Role.TRAINER,
        Role.CS_MANAGER,
        Role.ADMIN,
        Role.REGIONAL_MANAGER,
        Role.STORE_MANAGER,
    },
    # Other people's self-assessment history (coaching), within the reader's scope.
    "team_assessments": {
        Role.TRAINER,
        Role.CS_MANAGER,
        Role.ADMIN,
        Role.REGIONAL_MANAGER,
        Role.STORE_MANAGER,
    },
}


def may(user, right: str) -> bool:
    staff = staff_of(user)
    return staff is not None and staff.role in RIGHTS.get(right, set())
