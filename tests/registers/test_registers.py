"""The store registers: lost and found, training and etiquette, the voice of the customer, and
the customer's special requirements on the ticket page."""

import datetime

import pytest
from django.utils import timezone

from kefu.errors import Conflict, Forbidden, InvalidInput, NotFound
from kefu.notifications.models import Notification
from kefu.registers import rules, selectors, services
from kefu.registers.models import LostItem
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


def found(users, who="staff_sh001", days_ago=1, **extra):
    return services.record_found_item(
        actor=users[who],
        item="黑色钱包",
        found_place="二楼手机柜台",
        found_at=timezone.now() - datetime.timedelta(days=days_ago),
        found_by="王芳",
        handed_to="duty_manager",
        handed_to_name="陈刚",
        **extra,
    )


def test_id_numbers_are_kept_masked():
    assert rules.mask_id_number("310104 198807123456") == "310***********3456"
    assert "198807" not in rules.mask_id_number("310104198807123456")


def test_a_found_item_is_recorded_handed_back_with_an_id_check_and_scoped(chain, users):
    row = found(users)
    assert row.store.code == "SH001" and row.status == "kept"
    assert row.keep_until == timezone.localdate() - datetime.timedelta(days=1) + datetime.timedelta(
        days=30
    )
    # Another store's staff do not see it, and cannot hand it back.
    assert not selectors.lost_items(users["staff_bj001"]).filter(pk=row.pk).exists()
    with pytest.raises(NotFound):
        services.hand_back(
            actor=users["staff_bj001"],
            item_id=row.pk,
            claimed_by="李女士",
            id_number="310104198807123456",
        )
    assert selectors.lost_items(users["region_east"]).filter(pk=row.pk).exists()
    with pytest.raises(InvalidInput):
        services.hand_back(
            actor=users["staff_sh001"], item_id=row.pk, claimed_by="李女士", id_number="123"
        )
    back = services.hand_back(
        actor=users["staff_sh001"],
        item_id=row.pk,
        claimed_by="李女士",
        id_number="310104198807123456",
    )
    assert back.status == "claimed" and back.claimant_id_masked == "310***********3456"
    assert "198807123456" not in str(LostItem.objects.filter(pk=row.pk).values().get())
    with pytest.raises(Conflict):
        services.hand_back(
            actor=users["staff_sh001"],
            item_id=row.pk,
            claimed_by="王",
            id_number="310104198807123456",
        )


def test_disposal_only_after_the_keeping_period_by_a_manager_and_the_sweep_reminds_once(
    chain, users
):
    old = found(users, days_ago=40)
    fresh = found(users, days_ago=2)
    with pytest.raises(Forbidden):
        services.dispose(actor=users["staff_sh001"], item_id=old.pk, disposal="donated")
    with pytest.raises(Conflict):
        services.dispose(actor=users["manager_sh001"], item_id=fresh.pk, disposal="donated")
    assert services.remind_overdue_items() == 1
    note = Notification.objects.get(recipient=users["manager_sh001"], kind="lost_found_overdue")
    assert "1" in note.text
    assert services.remind_overdue_items() == 0  # once
    done = services.dispose(actor=users["manager_sh001"], item_id=old.pk, disposal="donated")
    assert done.status == "disposed" and done.closed_by == users["manager_sh001"]


def test_bad_input_changes_nothing(chain, users):
    with pytest.raises(InvalidInput):
        services.record_found_item(
            actor=users["staff_sh001"],
            item="",
            found_place="x",
            found_at=timezone.now(),
            found_by="x",
            handed_to="duty_manager",
            handed_to_name="x",
        )
    with pytest.raises(InvalidInput):
        services.record_found_item(
            actor=users["staff_sh001"],
            item="伞",
            found_place="x",
            found_at=timezone.now(),
            found_by="x",
            handed_to="the_boss",
            handed_to_name="x",
        )
    with pytest.raises(InvalidInput):  # a region manager must say which of their stores
        found(users, who="region_east", store=chain["stores"]["BJ001"].pk)
    assert not LostItem.objects.exists()


def test_lost_found_page_records_and_hands_back(chain, users, desk):
    client = desk("staff_sh001")
    page = client.get("/desk/registers/lost-found/")
    assert page.status_code == 200 and "失物招领" in page.content.decode()
    r = client.post(
        "/desk/registers/lost-found/",
        {
            "action": "record",
            "item": "儿童水杯",
            "found_place": "收银台",
            "found_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "found_by": "保洁 张阿姨",
            "handed_to": "loss_prevention_lead",
            "handed_to_name": "周建",
        },
    )
    assert r.status_code == 302
    row = LostItem.objects.get()
    r = client.post(
        "/desk/registers/lost-found/",
        {"action": "claim", "item_id": row.pk, "claimed_by": "李女士", "id_number": "12"},
    )
    assert r.status_code == 422 and "证件号码" in r.content.decode()
    assert LostItem.objects.get().status == "kept"
    assert (
        desk("staff_bj001").get("/desk/registers/lost-found/").content.decode().count("data-item=")
        == 0
    )
    assert desk("qa").get("/desk/registers/lost-found/").status_code == 404


def test_training_and_etiquette_on_the_staff_page(chain, users, desk):
    person = users["staff_sh001"].staff
    record = services.record_training(
        actor=users["manager_sh001"],
        staff_id=person.pk,
        course="顾客投诉处理技巧",
        held_on=timezone.localdate(),
        trainer="何老师",
        result="passed",
    )
    assert record.staff == person
    with pytest.raises(NotFound):  # another store's manager
        services.record_training(
            actor=users["manager_bj001"],
            staff_id=person.pk,
            course="x",
            held_on=timezone.localdate(),
            trainer="x",
            result="passed",
        )
    with pytest.raises(Forbidden):
        services.tick_etiquette(actor=users["staff_sh001"], staff_id=person.pk, met=[])
    with pytest.raises(InvalidInput):
        services.tick_etiquette(actor=users["manager_sh001"], staff_id=person.pk, met=["dance"])
    client = desk("manager_sh001")
    r = client.post(f"/desk/registers/staff/{person.pk}/", {"met": ["spirited", "appearance"]})
    assert r.status_code == 302
    r = client.post(f"/desk/registers/staff/{person.pk}/", {"met": ["spirited"]})  # replaces
    check = person.etiquette_checks.get()
    assert check.met == ["spirited"] and check.checked_by == users["manager_sh001"]
    page = client.get(f"/desk/registers/staff/{person.pk}/").content.decode()
    assert "顾客投诉处理技巧" in page and "精神饱满" in page
    assert "自我评估" in page  # the coach reads the person's self-assessments and QA results
    overview = client.get("/desk/registers/training/").content.decode()
    assert f'data-person="{person.pk}"' in overview and "1 / 7" in overview
    assert desk("manager_bj001").get(f"/desk/registers/staff/{person.pk}/").status_code == 404
    assert desk("staff_sh001").get("/desk/registers/training/").status_code == 404


def test_voice_notes_are_quick_tagged_counted_and_scoped(chain, users, desk):
    from kefu.catalog.models import ProductCategory, ProductModel

    fridge = ProductModel.objects.create(
        category=ProductCategory.objects.get_or_create(
            code="refrigerator", defaults={"name": "冰箱"}
        )[0],
        brand="骏和",
        code="BCD-470WDPG",
        name="冰箱",
    )
    client = desk("staff_sh001")
    r = client.post(
        "/desk/registers/voice/",
        {"text": "门封条半年就变形了", "theme": "quality", "product_model": "BCD-470WDPG"},
    )
    assert r.status_code == 302
    services.note_voice(actor=users["staff_sh001"], text="问能不能保价", theme="price")
    services.note_voice(
        actor=users["staff_bj001"],
        text="同款门封条问题",
        theme="quality",
        product_model=fridge.code,
    )
    r = client.post("/desk/registers/voice/", {"text": "x", "theme": "weather"})
    assert r.status_code == 422
    r = client.post(
        "/desk/registers/voice/", {"text": "x", "theme": "price", "product_model": "NOPE"}
    )
    assert r.status_code == 422
    mine = selectors.voice_counts(users["staff_sh001"])
    assert {(c["theme"], c["model"], c["count"]) for c in mine} == {
        ("quality", "BCD-470WDPG", 1),
        ("price", "", 1),
    }
    everyone = selectors.voice_counts(users["cs_manager"])
    assert everyone[0] == {"theme": "quality", "label": "质量", "model": "BCD-470WDPG", "count": 2}
    page = client.get("/desk/registers/voice/").content.decode()
    assert page.count("data-note=") == 2 and "门封条半年就变形了" in page
    # A technician notes what customers say too; an outlet's people have no such register.
    assert desk("technician").get("/desk/registers/voice/").status_code == 200


def test_special_requirements_on_the_customer_and_the_ticket_page(chain, users, desk):
    ticket = open_ticket("SH001", subject="冰箱不制冷")
    client = desk("cs_agent")
    r = client.post(
        f"/desk/customers/{ticket.customer_id}/requirements/",
        {"special_requirements": "只在晚上六点后联系"},
    )
    assert r.status_code == 302
    page = client.get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert 'data-testid="customer-requirements"' in page and "只在晚上六点后联系" in page
    # Not changed by those without customers.manage.
    r = desk("qa").post(
        f"/desk/customers/{ticket.customer_id}/requirements/", {"special_requirements": "x"}
    )
    assert r.status_code in (403, 404)
    ticket.customer.refresh_from_db()
    assert ticket.customer.special_requirements == "只在晚上六点后联系"


def test_voice_notes_through_the_api(chain, users, api):
    import json

    r = api("staff_sh001").post(
        "/api/v1/registers/voice",
        data=json.dumps({"text": "希望送货能提前一小时打电话", "theme": "delivery"}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    r = api("staff_sh001").post(
        "/api/v1/registers/voice",
        data=json.dumps({"text": "x", "theme": "nope"}),
        content_type="application/json",
    )
    assert r.status_code == 422
    counts = api("region_east").get("/api/v1/registers/voice/counts").json()
    assert counts == [{"theme": "delivery", "label": "送货安装", "model": "", "count": 1}]
    assert api("region_north").get("/api/v1/registers/voice/counts").json() == []
