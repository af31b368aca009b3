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
    # A service outlet's people (服务网点): they see the field jobs dispatched to their outlet,
    # nothing else; the manager gives them to the outlet's own technicians.
    OUTLET_MANAGER = "outlet_manager", _("Outlet manager")
    OUTLET_TECHNICIAN = "outlet_technician", _("Outlet technician")


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
    # A technician works where they are sent: the stores and regions of their service area
    # (aftersales.Technician), plus the jobs (tickets with their visit) assigned to them.
    Role.TECHNICIAN: "area",
    # No ticket, customer or store through the general scope: after-sales shows an outlet's
    # people the jobs dispatched to their outlet (kefu.aftersales.selectors).
    Role.OUTLET_MANAGER: "outlet",
    Role.OUTLET_TECHNICIAN: "outlet",
}  # every other role: "all"

# Who holds each rung of the ladder, and so works its queue (and, for the rungs of a store or
# region, decides for it: compensation limits, follow-up calls). Every other role works the
# CS department's queue.
RUNG_HOLDER = {
    Tier.STORE_STAFF: Role.STORE_STAFF,
    Tier.STORE_MANAGER: Role.STORE_MANAGER,
    Tier.REGIONAL_MANAGER: Role.REGIONAL_MANAGER,
    Tier.CS_DEPARTMENT: Role.CS_MANAGER,
}
ROLE_TIER = {role: tier for tier, role in RUNG_HOLDER.items() if tier != Tier.CS_DEPARTMENT}

# --------------------------------------------------------------------------- rights
# The one table of rights: capability → the roles that have it. Capabilities are named
# "<app>.<what>"; `kefu.org.selectors.can(user, capability)` reads this table and nothing else,
# and an unknown name is an error, not a silent "no".

STORE_ROLES = frozenset({Role.STORE_STAFF, Role.STORE_MANAGER})
MANAGERS = frozenset(
    {Role.STORE_MANAGER, Role.REGIONAL_MANAGER, Role.CS_MANAGER, Role.COORDINATOR, Role.ADMIN}
)
# Everyone who works tickets at the desk: the ladder's people, the CS department's agents and
# managers, coordinators, administrators.
DESK = frozenset(
    {
        Role.STORE_STAFF,
        Role.STORE_MANAGER,
        Role.REGIONAL_MANAGER,
        Role.CS_AGENT,
        Role.CS_MANAGER,
        Role.COORDINATOR,
        Role.ADMIN,
    }
)
# Who gives tickets to colleagues (store staff and technicians only take them themselves).
DISPATCHERS = DESK - {Role.STORE_STAFF}
QA_LEADS = frozenset({Role.QA_MONITOR, Role.CS_MANAGER, Role.ADMIN})
COACHES = frozenset(
    {Role.TRAINER, Role.CS_MANAGER, Role.ADMIN, Role.REGIONAL_MANAGER, Role.STORE_MANAGER}
)
FEEDBACK_MANAGERS = frozenset(
    {Role.STORE_MANAGER, Role.REGIONAL_MANAGER, Role.CS_MANAGER, Role.ADMIN}
)

# The chain's own people: everyone but a partner outlet's (who see only their outlet's jobs).
IN_HOUSE = frozenset(Role.values) - {Role.OUTLET_MANAGER, Role.OUTLET_TECHNICIAN}

RIGHTS: dict[str, frozenset[str]] = {
    # desk: the ticket queue of one's scope (and "my tickets"); an outlet's people have none
    "tickets.queue": IN_HOUSE,
    # tickets: open, answer, annotate, move along the workflow, climb the ladder, attach files
    "tickets.create": DESK,
    "tickets.reply": DESK | {Role.TECHNICIAN},
    "tickets.note": DESK | {Role.TECHNICIAN, Role.QA_MONITOR},
    "tickets.status": DESK | {Role.TECHNICIAN},
    "tickets.escalate": DESK,
    "tickets.attach": DESK | {Role.TECHNICIAN},
    "tickets.assign": DISPATCHERS,
    "tickets.assign_self": frozenset({Role.STORE_STAFF, Role.TECHNICIAN}),
    # share a saved queue view with the store, the region or (CS department) the chain
    "tickets.views.share": MANAGERS,
    # customers: look up customers (name and what they bought where); see their full contact
    # data (mobile, e-mail, address: every look is audited); record customers and purchases;
    # the customer's data rights under PIPL: export everything held, erase (anonymise).
    # Trainers and QA monitors have none of these: they score and coach on tickets, masked.
    "customers.view": DESK | {Role.TECHNICIAN},
    "customers.contact": DESK | {Role.TECHNICIAN},
    "customers.manage": DESK,
    "customers.export": frozenset({Role.CS_MANAGER, Role.ADMIN}),
    "customers.erase": frozenset({Role.CS_MANAGER, Role.ADMIN}),
    # sla: the breaching list and the whole team's clocks
    "sla.breaching": MANAGERS,
    # quality: one's own self-assessment and QA results; score tickets (质检) and work the sample queue; per-agent and per-store
    # scorecard summaries; other people's self-assessment history (coaching)
    "quality.self_assessment": IN_HOUSE,
    "quality.review": QA_LEADS,
    "quality.summaries": QA_LEADS | COACHES,
    "quality.team_assessments": COACHES,
    # feedback: make follow-up calls (回访); the overdue list; the feedback-card inbox (意见卡);
    # request compensation or a goodwill gesture; per-store satisfaction and compensation sums.
    # Who may APPROVE how much compensation is data too: CompensationLimit rows per rung.
    "feedback.followups": DESK,
    "feedback.followups.manage": FEEDBACK_MANAGERS,
    "feedback.cards": FEEDBACK_MANAGERS,
    "feedback.compensation.request": DESK,
    "feedback.reports": FEEDBACK_MANAGERS,
    # analytics: the reports and dashboards of the manager's scope, and their exports (which
    # carry customers' names and masked mobiles: the same people who see the tickets)
    "analytics.view": MANAGERS | {Role.QA_MONITOR},
    "analytics.export": MANAGERS,
    # channels: post inbound mail (a mail gateway's integration account, the CS department)
    "channels.inbound": frozenset({Role.CS_AGENT, Role.CS_MANAGER, Role.ADMIN}),
    # channels: log a hotline call at the desk (caller lookup, ticket or note, call backs)
    "channels.calls": DESK,
    # knowledge: read the articles (FAQ, how-tos, 三包 explanations, store policies); write and
    # publish them; use canned replies (macros); share a macro with a store or the chain.
    "knowledge.read": DESK | {Role.TECHNICIAN, Role.QA_MONITOR, Role.TRAINER},
    "knowledge.write": frozenset({Role.CS_AGENT, Role.CS_MANAGER, Role.TRAINER, Role.ADMIN}),
    "knowledge.macros": DESK | {Role.TECHNICIAN},
    "knowledge.macros.share": MANAGERS | {Role.TRAINER},
    # aftersales: the parts catalogue and stock levels; parts in and out (receive, use on a
    # visit, transfer, request, return old parts); taking stock below zero knowingly; fee
    # quotes and payment records; the electronic warranty card (by serial number)
    "aftersales.parts": DESK | {Role.TECHNICIAN, Role.OUTLET_MANAGER, Role.OUTLET_TECHNICIAN},
    "aftersales.stock": frozenset(
        {
            Role.TECHNICIAN,
            Role.OUTLET_TECHNICIAN,
            Role.OUTLET_MANAGER,
            Role.CS_MANAGER,
            Role.COORDINATOR,
            Role.ADMIN,
        }
    ),
    "aftersales.stock_override": frozenset({Role.CS_MANAGER, Role.COORDINATOR, Role.ADMIN}),
    "aftersales.payments": DESK | {Role.TECHNICIAN},
    "aftersales.warranty": DESK | {Role.TECHNICIAN},
    # partner outlets: send a field job to an outlet; see the outlet's jobs (its people see only
    # their own outlet's); give a job to one of the outlet's technicians; warranty claims to the
    # manufacturer and their monthly statement
    "aftersales.outlet_dispatch": DISPATCHERS,
    "aftersales.outlet_jobs": DISPATCHERS | {Role.OUTLET_MANAGER, Role.OUTLET_TECHNICIAN},
    "aftersales.outlet_assign": frozenset({Role.OUTLET_MANAGER}),
    "aftersales.claims": frozenset({Role.CS_MANAGER, Role.COORDINATOR, Role.ADMIN}),
    # registers (the store's own books): the lost-and-found register (record, hand back with an
    # ID check) and disposing of unclaimed items after the keeping period; staff training
    # records and the daily etiquette checklists a manager ticks; voice-of-customer notes
    # (any of the chain's own people notes what a customer said, and reads their scope's)
    "registers.lost_found": DESK,
    "registers.lost_found.dispose": MANAGERS,
    "registers.training": COACHES,
    "registers.voice": IN_HOUSE,
}


def scope_of(role: str) -> str:
    return SCOPE.get(role, "all")


def tier_of(role: str) -> str:
    """The rung whose queue a role works."""
    return ROLE_TIER.get(role, Tier.CS_DEPARTMENT)


def holds_rung(role: str) -> bool:
    """Whether the role holds a rung of a store or region (and so escalates from it)."""
    return role in ROLE_TIER


def next_tier(tier: str) -> str | None:
    """The rung above `tier`, or None at the top of the ladder."""
    index = LADDER.index(tier)
    return LADDER[index + 1] if index + 1 < len(LADDER) else None


def has_right(role: str, capability: str) -> bool:
    """Whether a role has a capability; KeyError for a capability the table does not know."""
    return role in RIGHTS[capability]
