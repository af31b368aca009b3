"""Demo rows of the store registers (`kefu demo`): a month of lost-and-found entries at the
Shanghai and Beijing stores (some handed back, one past its keeping period), training records
and etiquette checks of the store staff, voice-of-customer notes, and a few customers' special
requirements. Each part is skipped when its rows are already there."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from kefu.catalog.models import ProductModel
from kefu.customers.models import Customer
from kefu.org.models import Staff, Store

from . import rules
from .models import EtiquetteCheck, LostItem, TrainingRecord, VoiceNote

# (store, item, where, days ago, hour, found by, handed to, duty manager, claimed by, ID number)
LOST = [
    (
        "SH001",
        "黑色男士钱包（内有身份证）",
        "二楼手机柜台",
        2,
        15,
        "王芳",
        "duty_manager",
        "陈刚",
        "",
        "",
    ),
    (
        "SH001",
        "儿童蓝色水杯",
        "一楼收银台",
        5,
        11,
        "保洁 张阿姨",
        "duty_manager",
        "陈刚",
        "李女士",
        "310104198807123456",
    ),
    (
        "SH001",
        "雨伞（格子图案）",
        "入口存包处",
        41,
        19,
        "保安 刘强",
        "loss_prevention_lead",
        "周建",
        "",
        "",
    ),
    ("SH001", "华为手机充电器", "空调体验区", 9, 16, "王芳", "duty_manager", "陈刚", "", ""),
    (
        "BJ001",
        "老花镜（棕色镜盒）",
        "冰箱展区休息椅",
        3,
        10,
        "刘洋",
        "duty_manager",
        "赵磊",
        "",
        "",
    ),
    (
        "BJ001",
        "购物袋（内有发票两张）",
        "电梯口",
        12,
        18,
        "保安 孟凡",
        "loss_prevention_lead",
        "许宁",
        "孙先生",
        "110105197503214321",
    ),
]
TRAININGS = [
    ("staff_sh001", "顾客投诉处理技巧", 60, "何老师", "passed", "角色扮演考核 92 分"),
    ("staff_sh001", "三包政策与退换货流程", 25, "周敏", "passed", ""),
    ("staff_bj001", "员工服务礼仪规范", 40, "何老师", "failed", "服务用语不规范，两周后补考"),
    ("staff_bj001", "员工服务礼仪规范", 26, "何老师", "passed", "补考通过"),
    ("manager_sh001", "值班经理职责与失物处理", 30, "周敏", "attended", ""),
]
VOICES = [
    (
        "staff_sh001",
        "SH001",
        "BCD-470WDPG",
        "quality",
        "顾客说冰箱门封条用半年就有点变形，问是不是通病。",
        1,
    ),
    (
        "staff_sh001",
        "SH001",
        "KFR-35GW/NhGc1B",
        "delivery",
        "顾客希望空调安装能约晚上七点以后。",
        3,
    ),
    ("staff_sh001", "SH001", "", "staff", "老顾客夸导购讲解耐心，说比网上问客服清楚。", 4),
    ("staff_bj001", "BJ001", "TG100V88", "function", "顾客觉得洗衣机面板按键太多，老人不会用。", 2),
    ("staff_bj001", "BJ001", "TG100V88", "function", "又一位顾客问洗衣机能不能设置成“一键洗”。", 6),
    ("staff_bj001", "BJ001", "", "price", "顾客说同款在网上便宜两百元，问门店能否保价。", 8),
    ("cs_agent", None, "BCD-520WKPZM", "after_sales", "热线顾客说维修师傅上门前没有电话确认。", 5),
    ("cs_agent", None, "", "suggestion", "顾客建议服务单短信里写上师傅的工号。", 10),
]
REQUIREMENTS = [
    "只在晚上六点后联系；白天上班不方便接电话。",
    "家中老人行动不便，送货请搬上楼（无电梯，5楼）。",
    "上门前请先打电话，小区需登记。",
]


def _at(days_ago: int, hour: int):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 20)))


def load(password: str) -> dict:
    User = get_user_model()
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "cs_manager",
                "manager_sh001",
                "manager_bj001",
                "trainer",
                "staff_sh001",
                "staff_bj001",
                "cs_agent",
            ]
        )
    }
    stores = {s.code: s for s in Store.objects.filter(code__in=["SH001", "BJ001"])}
    added = {"lost_items": 0, "trainings": 0, "etiquette_checks": 0, "voice_notes": 0}
    if len(users) < 7 or len(stores) < 2:
        return added
    if not LostItem.objects.exists():
        for code, item, where, ago, hour, by, handed, name, claimant, id_number in LOST:
            manager = users["manager_sh001" if code == "SH001" else "manager_bj001"]
            row = LostItem.objects.create(
                store=stores[code],
                item=item,
                found_place=where,
                found_at=_at(ago, hour),
                found_by=by,
                handed_to=handed,
                handed_to_name=name,
                recorded_by=manager,
            )
            if claimant:
                row.status, row.claimed_by = "claimed", claimant
                row.claimant_id_masked = rules.mask_id_number(id_number)
                row.closed_at, row.closed_by = _at(ago - 1, 14), manager
                row.save()
            LostItem.objects.filter(pk=row.pk).update(created_at=row.found_at)
            added["lost_items"] += 1
    staff = {
        s.user.username: s
        for s in Staff.objects.select_related("user").filter(user__in=users.values())
    }
    if not TrainingRecord.objects.exists():
        for username, course, ago, trainer, result, note in TRAININGS:
            TrainingRecord.objects.create(
                staff=staff[username],
                course=course,
                held_on=timezone.localdate() - datetime.timedelta(days=ago),
                trainer=trainer,
                result=result,
                note=note,
                recorded_by=users["trainer"],
            )
            added["trainings"] += 1
    if not EtiquetteCheck.objects.exists():
        codes = [i["code"] for i in rules.etiquette_items()]
        for ago in range(1, 8):
            day = timezone.localdate() - datetime.timedelta(days=ago)
            for username, manager, miss in (
                ("staff_sh001", "manager_sh001", ago % 5 == 0),
                ("staff_bj001", "manager_bj001", ago % 2 == 0),
            ):
                met = [c for c in codes if not (miss and c in ("service_language", "appearance"))]
                EtiquetteCheck.objects.create(
                    staff=staff[username], day=day, met=met, checked_by=users[manager]
                )
                added["etiquette_checks"] += 1
    if not VoiceNote.objects.exists():
        models = {m.code: m for m in ProductModel.objects.all()}
        for username, code, model, theme, text, ago in VOICES:
            note = VoiceNote.objects.create(
                store=stores.get(code),
                author=users[username],
                product_model=models.get(model),
                theme=theme,
                text=text,
            )
            VoiceNote.objects.filter(pk=note.pk).update(created_at=_at(ago, 15))
            added["voice_notes"] += 1
    if not Customer.objects.exclude(special_requirements="").exists():
        customers = (
            Customer.objects.filter(erased_at__isnull=True, tickets__isnull=False)
            .distinct()
            .order_by("pk")[:3]
        )
        for customer, text in zip(customers, REQUIREMENTS, strict=False):
            Customer.objects.filter(pk=customer.pk).update(special_requirements=text)
    return added
