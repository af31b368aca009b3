"""One table of rights: every capability named once, per app; can() reads nothing else."""

import pytest

from kefu.org import roles
from kefu.org.roles import RIGHTS, RUNG_HOLDER, Role, Tier
from kefu.org.selectors import can

pytestmark = pytest.mark.django_db


def test_every_capability_is_named_for_its_app_and_given_only_to_known_roles():
    apps = {
        "tickets",
        "customers",
        "sla",
        "quality",
        "feedback",
        "analytics",
        "channels",
        "knowledge",
        "aftersales",
        "registers",
    }
    for capability, holders in RIGHTS.items():
        assert capability.split(".")[0] in apps, capability
        assert holders and set(holders) <= set(Role.values), capability


def test_an_unknown_capability_is_an_error_not_a_silent_no(users):
    with pytest.raises(KeyError):
        can(users["cs_agent"], "reply")
    with pytest.raises(KeyError):
        can(None, "quality.reviw")


def test_roles_get_what_their_job_needs_and_no_more(users):
    assert can(users["qa"], "quality.review") and not can(users["qa"], "tickets.reply")
    assert can(users["qa"], "tickets.note")
    assert can(users["trainer"], "quality.team_assessments")
    assert not can(users["trainer"], "tickets.note")
    assert can(users["staff_sh001"], "tickets.assign_self")
    assert not can(users["staff_sh001"], "tickets.assign")
    assert not can(users["staff_sh001"], "feedback.cards")
    assert can(users["manager_sh001"], "feedback.cards") and can(
        users["manager_sh001"], "sla.breaching"
    )
    assert not can(users["cs_agent"], "sla.breaching")


def test_the_ladder_and_its_holders_are_written_once():
    assert list(RUNG_HOLDER) == roles.LADDER
    assert roles.tier_of(Role.STORE_MANAGER) == Tier.STORE_MANAGER
    assert roles.tier_of(Role.CS_AGENT) == Tier.CS_DEPARTMENT
    assert roles.next_tier(Tier.REGIONAL_MANAGER) == Tier.CS_DEPARTMENT
    assert roles.next_tier(Tier.CS_DEPARTMENT) is None


def test_outlet_people_work_only_their_outlet_jobs():
    """A partner outlet's people get no ticket right: after-sales shows them their outlet's jobs."""
    from kefu.org.roles import has_right, scope_of

    for role in (Role.OUTLET_MANAGER, Role.OUTLET_TECHNICIAN):
        assert scope_of(role) == "outlet"
        assert not any(has_right(role, c) for c in RIGHTS if c.startswith("tickets."))
        assert has_right(role, "aftersales.outlet_jobs")
    assert has_right(Role.OUTLET_MANAGER, "aftersales.outlet_assign")
    assert not has_right(Role.OUTLET_TECHNICIAN, "aftersales.outlet_assign")
