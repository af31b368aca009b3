"""What each role may do with the customer's voice (data, merged into kefu.org.roles.CAPABILITIES
when the app starts, so `kefu.org.selectors.can` and the desk's top bar know them).

- followups: see and make follow-up calls (回访) in one's scope
- followups_manage: the overdue list (managers keep an eye on calls that slipped)
- feedback_cards: the feedback-card inbox (意见卡), store managers and above
- compensation: request compensation or a goodwill gesture on a ticket
- feedback_reports: per-store satisfaction scores and compensation sums"""

from kefu.org.roles import Role

ALL = {"followups", "followups_manage", "feedback_cards", "compensation", "feedback_reports"}
FEEDBACK_CAPABILITIES: dict[str, set[str]] = {
    Role.STORE_STAFF: {"followups", "compensation"},
    Role.STORE_MANAGER: set(ALL),
    Role.REGIONAL_MANAGER: set(ALL),
    Role.CS_AGENT: {"followups", "compensation"},
    Role.CS_MANAGER: set(ALL),
    Role.COORDINATOR: {"followups", "compensation"},
    Role.ADMIN: set(ALL),
}


def install() -> None:
    from kefu.org.roles import CAPABILITIES

    for role, capabilities in FEEDBACK_CAPABILITIES.items():
        CAPABILITIES.setdefault(role, set()).update(capabilities)
