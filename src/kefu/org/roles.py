"""Staff roles, what each may do, and where each stands on the escalation ladder.

Business rules as data: a new role or a changed right is a change to these tables only."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STORE_STAFF = "store_staff", _("Store staff")
    STORE_MANAGER = "store_manager", _("Store manager")
    REGIONAL_MANAGER = "regional_manager", _("Regional manager")
    CS_AGENT = "cs_agent", _("CS agent")
    CS_MANAGER = "cs_manager", _("CS manager")
    TECHNICIAN = "technician", _("Technician")
    QA_MONITOR = "qa_monitor", _("QA monitor")
    TRAINER = "trainer", _("Trainer")
    COORDINATOR = "coordinator", _("Coordinator")
    ADMIN = "admin", _("Administrator")


class Tier(models.TextChoices):
    """The escalation ladder (升级路径), lowest rung first."""

    STORE_STAFF = "store_staff", _("Store staff")
    STORE_MANAGER = "store_manager", _("Store manager")
    REGIONAL_MANAGER = "regional_manager", _("Regional manager")
    CS_DEPARTMENT = "cs_department", _("Customer-service department")


LADDER = [Tier.STORE_STAFF, Tier.STORE_MANAGER, Tier.REGIONAL_MANAGER, Tier.CS_DEPARTMENT]

# Which objects a role sees: its store, its region, or everything.
SCOPE = {
    Role.STORE_STAFF: "store",
    Role.STORE_MANAGER: "store",
    Role.REGIONAL_MANAGER: "region",
}  # every other role: "all"

# The rung whose queue a role works.
ROLE_TIER = {
    Role.STORE_STAFF: Tier.STORE_STAFF,
    Role.STORE_MANAGER: Tier.STORE_MANAGER,
    Role.REGIONAL_MANAGER: Tier.REGIONAL_MANAGER,
}  # every other role: the CS department

WORK = {"create", "reply", "note", "status", "escalate", "attach"}
CAPABILITIES: dict[str, set[str]] = {
    Role.STORE_STAFF: WORK | {"assign_self", "customers"},
    Role.STORE_MANAGER: WORK | {"assign", "customers"},
    Role.REGIONAL_MANAGER: WORK | {"assign", "customers"},
    Role.CS_AGENT: WORK | {"assign", "customers"},
    Role.CS_MANAGER: WORK | {"assign", "customers"},
    Role.TECHNICIAN: {"reply", "note", "status", "attach", "assign_self"},
    Role.QA_MONITOR: {"note"},
    Role.TRAINER: set(),
    Role.COORDINATOR: WORK | {"assign", "customers"},
    Role.ADMIN: WORK | {"assign", "customers"},
}


def scope_of(role: str) -> str:
    return SCOPE.get(role, "all")


def tier_of(role: str) -> str:
    return ROLE_TIER.get(role, Tier.CS_DEPARTMENT)


def next_tier(tier: str) -> str | None:
    """The rung above `tier`, or None at the top of the ladder."""
    index = LADDER.index(tier)
    return LADDER[index + 1] if index + 1 < len(LADDER) else None
