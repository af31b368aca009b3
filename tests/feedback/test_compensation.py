"""Compensation and goodwill: approved by the rung whose limit covers it, in scope, summed per store."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.errors import Conflict, Forbidden, InvalidInput, NotFound
from kefu.feedback import selectors, services
from kefu.feedback.models import Compensation, CompensationLimit
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(chain):
    return open_ticket(chain["stores"]["SH001"], type="complaint")


def offer(users, ticket, who, amount, **kw):
    fields = {"kind": "cash", "purpose": "goodwill", "reason": "安装师傅迟到三小时，致歉补偿", **kw}
    return services.request_compensation(actor=users[who], ticket=ticket, amount=amount, **fields)


def test_within_ones_own_limit_it_is_approved_at_once_and_recorded_on_the_timeline(users, ticket):
    item = offer(users, ticket, "staff_sh001", "50.00")
    assert (
        item.status == "approved"
        and item.decided_by == users["staff_sh001"]
        and item.awaiting_tier == ""
    )
    event = ticket.events.get(kind="compensation_approved")
    assert (
        event.data["own_limit"] is True
        and event.data["amount"] == "50.00"
        and event.public is False
    )
    assert "¥50.00" in event.body


def test_above_it_the_next_rung_decides(users, ticket):
    item = offer(users, ticket, "staff_sh001", "300")
    assert (
        item.status == "requested"
        and item.awaiting_tier == "store_manager"
        and item.amount == Decimal("300.00")
    )
    assert ticket.events.filter(kind="compensation_requested").exists()
    notice = ticket.events.get(kind="feedback_notice")
    assert notice.data["to"] == ["manager_sh001"]
    assert list(selectors.decidable_by(users["manager_sh001"])) == [item]
    services.approve_compensation(
        actor=users["manager_sh001"], compensation_id=item.pk, note="同意"
    )
    item.refresh_from_db()
    assert (
        item.status == "approved"
        and item.decided_by == users["manager_sh001"]
        and item.decided_at is not None
    )
    assert ticket.events.filter(kind="compensation_approved", data__own_limit=False).exists()


def test_an_amount_above_the_store_managers_limit_waits_for_the_regional_manager(users, ticket):
    item = offer(users, ticket, "staff_sh001", "1200", kind="gift", gift="电饭煲一台")
    assert item.awaiting_tier == "regional_manager"
    with pytest.raises(Forbidden):
        services.approve_compensation(actor=users["manager_sh001"], compensation_id=item.pk)
    assert list(selectors.decidable_by(users["manager_sh001"])) == []
    services.approve_compensation(actor=users["region_east"], compensation_id=item.pk)
    assert Compensation.objects.get(pk=item.pk).status == "approved"


def test_above_every_regional_limit_the_cs_department_decides(users, ticket):
    item = offer(users, ticket, "region_east", "5000", purpose="loss")
    assert item.awaiting_tier == "cs_department"
    with pytest.raises(Forbidden):
        services.approve_compensation(actor=users["region_east"], compensation_id=item.pk)
    services.approve_compensation(actor=users["cs_manager"], compensation_id=item.pk)
    assert Compensation.objects.get(pk=item.pk).status == "approved"


def test_a_cs_agent_without_a_limit_asks_the_cs_manager_not_a_store(users, ticket):
    item = offer(users, ticket, "cs_agent", "30")
    assert item.status == "requested" and item.awaiting_tier == "cs_department"
    with pytest.raises(
        Forbidden
    ):  # the store's staff could cover ¥30, but the request waits for the CS department
        services.approve_compensation(actor=users["manager_sh001"], compensation_id=item.pk)
    services.approve_compensation(actor=users["cs_manager"], compensation_id=item.pk)


def test_a_higher_rung_may_decide_in_place_of_a_lower_one(users, ticket):
    item = offer(users, ticket, "staff_sh001", "300")
    services.reject_compensation(
        actor=users["region_east"], compensation_id=item.pk, reason="已给过代金券"
    )
    item.refresh_from_db()
    assert item.status == "rejected" and item.decision_note == "已给过代金券"
    assert ticket.events.filter(kind="compensation_rejected").exists()


def test_approvers_must_be_in_scope(users, ticket):
    item = offer(users, ticket, "staff_sh001", "300")
    for username in ("manager_bj001", "region_north", "staff_bj001"):
        with pytest.raises(NotFound):
            services.approve_compensation(actor=users[username], compensation_id=item.pk)
    with pytest.raises(NotFound):
        offer(users, ticket, "staff_bj001", "10")
    assert Compensation.objects.get(pk=item.pk).status == "requested"


def test_nobody_approves_their_own_request_nor_decides_twice(users, ticket):
    item = offer(users, ticket, "staff_sh001", "300")
    CompensationLimit.objects.filter(role="store_staff").update(limit=Decimal("1000"))
    with pytest.raises(Forbidden):
        services.approve_compensation(actor=users["staff_sh001"], compensation_id=item.pk)
    services.approve_compensation(actor=users["manager_sh001"], compensation_id=item.pk)
    with pytest.raises(Conflict):
        services.reject_compensation(
            actor=users["region_east"], compensation_id=item.pk, reason="晚了"
        )


def test_rejecting_needs_a_reason(users, ticket):
    item = offer(users, ticket, "staff_sh001", "300")
    with pytest.raises(InvalidInput) as err:
        services.reject_compensation(
            actor=users["manager_sh001"], compensation_id=item.pk, reason=" "
        )
    assert (
        err.value.field == "reason" and Compensation.objects.get(pk=item.pk).status == "requested"
    )


def test_limits_are_data(users, ticket):
    CompensationLimit.objects.filter(role="store_staff").update(limit=Decimal("100"))
    assert offer(users, ticket, "staff_sh001", "80").status == "approved"
    CompensationLimit.objects.filter(role="cs_manager").update(limit=Decimal("10000"))
    with pytest.raises(Conflict):
        offer(users, ticket, "staff_sh001", "20000")


@pytest.mark.parametrize(
    ("amount", "extra", "field"),
    [
        ("12.345", {}, "amount"),
        ("-5", {}, "amount"),
        ("0", {}, "amount"),
        ("abc", {}, "amount"),
        ("NaN", {}, "amount"),
        ("10", {"kind": "gift"}, "gift"),
        ("10", {"kind": "cheque"}, "kind"),
        ("10", {"purpose": "bribe"}, "purpose"),
        ("10", {"reason": ""}, "reason"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(users, ticket, amount, extra, field):
    with pytest.raises(InvalidInput) as err:
        offer(users, ticket, "staff_sh001", amount, **extra)
    assert err.value.field == field and not Compensation.objects.exists()


def test_roles_without_the_capability_cannot_request(users, ticket):
    for username in ("trainer", "qa", "technician"):
        with pytest.raises(Forbidden):
            offer(users, ticket, username, "10")


def test_approved_amounts_are_summed_per_store_within_scope(chain, users):
    sh1, sh2, bj = (open_ticket(chain["stores"][c]) for c in ("SH001", "SH002", "BJ001"))
    offer(users, sh1, "staff_sh001", "30")
    offer(users, sh1, "staff_sh001", "20.50", purpose="loss")
    waiting = offer(users, sh1, "staff_sh001", "400")
    rejected = offer(users, sh2, "cs_agent", "99")
    services.reject_compensation(
        actor=users["cs_manager"], compensation_id=rejected.pk, reason="不符合条件"
    )
    offer(users, sh2, "region_east", "1500")
    offer(users, bj, "staff_bj001", "45")
    old = offer(users, bj, "staff_bj001", "10")
    Compensation.objects.filter(pk=old.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=400)
    )
    today = timezone.localdate()

    def summary(username):
        rows = selectors.compensation_summary(
            users[username], since=today - datetime.timedelta(days=30), until=today
        )
        return {
            r["store__code"]: (r["total"], r["loss"], r["goodwill"], r["approved"], r["pending"])
            for r in rows
        }

    everything = summary("cs_manager")
    assert everything == {
        "SH001": (Decimal("50.50"), Decimal("20.50"), Decimal("30.00"), 2, 1),
        "SH002": (Decimal("1500.00"), Decimal("0"), Decimal("1500.00"), 1, 0),
        "BJ001": (Decimal("45.00"), Decimal("0"), Decimal("45.00"), 1, 0),
    }
    assert summary("manager_sh001") == {"SH001": everything["SH001"]}
    assert summary("region_east") == {k: everything[k] for k in ("SH001", "SH002")}
    assert summary("region_north") == {"BJ001": everything["BJ001"]}
    assert waiting.status == "requested"
