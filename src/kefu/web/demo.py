"""Demo data (`kefu demo`): a believable chain of six stores in three regions, its people,
60 customers with purchases and about 300 tickets. Idempotent: a second run adds nothing."""

import datetime
import random
import sys
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kefu.catalog.models import ProductCategory, ProductModel
from kefu.customers.models import Customer, Purchase
from kefu.org.models import Region, Staff, Store
from kefu.org.roles import Role

DEMO_PASSWORD = "kefu-demo-2026"

REGIONS = [("east", "华东"), ("north", "华北"), ("south", "华南")]
STORES = [
    ("SH001", "上海徐家汇店", "east", "上海市徐汇区漕溪北路88号", "021-64261234"),
    ("SH002", "上海浦东八佰伴店", "east", "上海市浦东新区张杨路501号", "021-58361234"),
    ("BJ001", "北京西单店", "north", "北京市西城区西单北大街120号", "010-66021234"),
    ("BJ002", "北京望京店", "north", "北京市朝阳区望京街9号", "010-64721234"),
    ("GZ001", "广州天河店", "south", "广州市天河区天河路208号", "020-38861234"),
    ("GZ002", "广州北京路店", "south", "广州市越秀区北京路168号", "020-83321234"),
]
# username, display name, role, store, region, superuser
DEMO_USERS = [
    ("admin", "系统管理员", Role.ADMIN, None, None, True),
    ("cs_manager", "周敏", Role.CS_MANAGER, None, None, False),
    ("cs_agent", "李静", Role.CS_AGENT, None, None, False),
    ("staff_sh001", "王芳", Role.STORE_STAFF, "SH001", None, False),
    ("manager_sh001", "陈刚", Role.STORE_MANAGER, "SH001", None, False),
    ("staff_bj001", "刘洋", Role.STORE_STAFF, "BJ001", None, False),
    ("manager_bj001", "赵磊", Role.STORE_MANAGER, "BJ001", None, False),
    ("region_east", "孙丽华", Role.REGIONAL_MANAGER, None, "east", False),
    ("region_north", "马建国", Role.REGIONAL_MANAGER, None, "north", False),
    ("region_south", "黄志强", Role.REGIONAL_MANAGER, None, "south", False),
    ("tech_sh", "吴师傅", Role.TECHNICIAN, None, None, False),
    ("qa", "郑洁", Role.QA_MONITOR, None, None, False),
    ("trainer", "何老师", Role.TRAINER, None, None, False),
    ("coordinator", "林晓", Role.COORDINATOR, None, None, False),
]
CATEGORIES = [
    ("refrigerator", "冰箱", "Refrigerator"),
    ("washing_machine", "洗衣机", "Washing machine"),
    ("air_conditioner", "空调", "Air conditioner"),
    ("tv", "电视", "TV"),
    ("mobile_phone", "手机", "Mobile phone"),
    ("computer", "电脑", "Computer"),
    ("other", "其他", "Other"),
]
MODELS = [
    ("refrigerator", "骏和", "BCD-470WDPG", "十字对开门冰箱 470升", "4999.00", None),
    ("refrigerator", "美澜", "BCD-520WKPZM", "多门风冷冰箱 520升", "5699.00", None),
    ("refrigerator", "骏和", "BCD-216STPA", "三门冰箱 216升", "1899.00", "2019-06-30"),
    ("washing_machine", "华瑞", "TG100V88", "滚筒洗衣机 10公斤", "3299.00", None),
    ("washing_machine", "骏和", "XQB80-Z1", "波轮洗衣机 8公斤", "1299.00", "2018-03-31"),
    ("air_conditioner", "星河", "KFR-35GW/NhGc1B", "挂式空调 1.5匹 一级能效", "3199.00", None),
    ("air_conditioner", "美澜", "KFR-72LW/N8MJA3", "立式空调 3匹", "7999.00", None),
    ("tv", "华瑞", "65E5K", "65英寸液晶电视", "3999.00", None),
    ("tv", "星河", "75Q10G", "75英寸Mini LED电视", "8999.00", None),
    ("mobile_phone", "骏和", "JH-X60", "骏和 X60 手机 256G", "4299.00", None),
    ("mobile_phone", "星河", "XH-14", "星河 14 手机 512G", "3999.00", None),
    ("computer", "华瑞", "HR-Book14", "华瑞 Book 14 笔记本电脑", "5499.00", None),
    ("computer", "骏和", "JH-Pro16", "骏和 Pro 16 笔记本电脑", "6999.00", None),
]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN_MALE = [
    "伟",
    "强",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "明",
    "超",
    "建华",
    "志刚",
    "海峰",
    "国庆",
    "文博",
    "子豪",
]
GIVEN_FEMALE = [
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "艳",
    "娟",
    "霞",
    "婷",
    "雪梅",
    "晓燕",
    "秀英",
    "佳怡",
    "雨欣",
    "梦琪",
]
STREETS = ["幸福路", "人民路", "建设大道", "中山路", "解放路", "和平街", "长江路", "光明路"]
CITY_OF = {
    "east": ("上海市", ["浦东新区", "徐汇区", "闵行区", "静安区"]),
    "north": ("北京市", ["朝阳区", "海淀区", "西城区", "丰台区"]),
    "south": ("广州市", ["天河区", "越秀区", "海珠区", "白云区"]),
}

# (type, subject, description) — {model} is the product.
TICKET_TEXTS = {
    "fault_report": [
        (
            "{model}不制冷",
            "上周买的{model}，这两天突然不制冷了，冷藏室温度很高，食物都快坏了，希望尽快派人上门检修。",
        ),
        (
            "{model}开机无反应",
            "{model}插上电源后按开机键没有任何反应，指示灯也不亮，已经换过插座了。",
        ),
        ("{model}噪音很大", "{model}运行时噪音特别大，晚上影响休息，想请师傅上门看看是什么问题。"),
        ("{model}漏水", "{model}底部一直在漏水，地板都湿了，请尽快安排维修。"),
        ("{model}屏幕出现竖线", "{model}屏幕中间出现一条竖线，重启后也没有消失。"),
        ("{model}充不进电", "{model}用了两个月，现在充电很慢，有时候充不进电，电池也不耐用。"),
    ],
    "return_exchange": [
        ("{model}申请退货", "收到{model}第三天就出现故障，要求退货退款。"),
        ("{model}想换货", "{model}买回来外观有划痕，不影响使用，但心里不舒服，想换一台新的。"),
        ("{model}七天无理由退货", "在网上商城买的{model}，还没拆封，想七天无理由退货。"),
    ],
    "complaint": [
        (
            "安装师傅迟到三个小时",
            "约好上午十点安装{model}，师傅下午一点才到，也没有提前打电话说明，非常不满意。",
        ),
        (
            "维修多次仍未修好",
            "{model}已经修了两次了，还是同样的问题，要求给个说法，不然我就打12315投诉。",
        ),
        ("店员态度冷淡", "在门店咨询{model}的时候，店员爱理不理，问了几遍才回答，服务态度太差了。"),
        ("承诺的赠品没有兑现", "购买{model}时说好送一套清洁套装，到现在也没有收到。"),
        ("售后热线一直打不通", "报修{model}，售后热线打了一上午都没人接。"),
    ],
    "installation": [
        ("预约{model}安装", "新买的{model}，想预约本周六上午上门安装，小区有电梯。"),
        ("{model}安装位置咨询", "{model}想装在阳台，不知道是否可以，需要师傅上门看一下。"),
    ],
    "delivery": [
        ("{model}什么时候送货", "订单已经付款三天了，{model}还没有送到，请帮忙查一下物流。"),
        ("送货时间能否改到周末", "工作日家里没人，{model}能不能改成周六送货？"),
    ],
    "consultation": [
        ("{model}的保修期多久", "想了解一下{model}整机保修多久，主要部件保修多久。"),
        ("{model}有没有以旧换新", "家里有台旧的想换{model}，请问有没有以旧换新活动？"),
        ("{model}是否支持分期付款", "想买{model}，请问是否支持分期付款，手续费多少？"),
    ],
    "order": [
        ("订单发票开错了", "购买{model}的发票抬头开错了，需要重新开具。"),
        ("订单重复扣款", "买{model}的时候付款页面卡住了，结果扣了两次款。"),
    ],
    "suggestion": [
        ("建议延长营业时间", "希望门店周末能延长营业时间到晚上十点，下班后方便过来看{model}。"),
        ("希望增加上门回收服务", "买{model}的时候希望能顺便回收旧家电。"),
    ],
    "training": [
        ("{model}使用培训", "单位采购了一批{model}，希望安排工作人员上门讲解使用方法。"),
    ],
}
REPLIES = [
    "{greeting}，非常抱歉给您带来不便。我们已经记录了您反映的情况，会在24小时内安排专人跟进，并告诉您具体的解决时间。",
    "{greeting}，感谢您的耐心等待。维修师傅已经安排好，明天上午九点到十二点之间上门，师傅出发前会先给您打电话，请您保持电话畅通。",
    "{greeting}，我们查到您的订单已经出库，预计后天送达，送货前司机会与您联系确认时间。",
    "{greeting}，根据您提供的购买日期，您的产品还在三包有效期内，这次维修免费，请您放心。",
    "{greeting}，对于这次的不愉快经历，我们深表歉意。门店店长会在今天下午给您回电，当面向您说明处理方案。",
    "{greeting}，请您方便时拍一张产品铭牌和故障部位的照片发给我们，这样师傅可以提前备好配件。",
]
NOTES = [
    "已电话联系顾客，顾客情绪较激动，先安抚后再约上门时间。",
    "配件需要从总仓调货，预计三天到店。",
    "顾客要求店长回电，已转告陈店长。",
    "查询维修记录：该机此前维修过一次，更换了主板。",
]
CUSTOMER_MESSAGES = [
    "好的，谢谢，我等师傅电话。",
    "已经过去两天了，还没有人联系我，请尽快处理。",
    "照片已经拍好了，请问发到哪里？",
    "问题已经解决了，谢谢你们。",
]


def _users():
    User = get_user_model()
    regions = {
        code: Region.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in REGIONS
    }
    stores = {}
    for code, name, region, address, phone in STORES:
        stores[code], _ = Store.objects.get_or_create(
            code=code,
            defaults={"name": name, "region": regions[region], "address": address, "phone": phone},
        )
    users = {}
    for username, display, role, store, region, superuser in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                is_staff=superuser or role in (Role.CS_MANAGER,),
                is_superuser=superuser,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        Staff.objects.get_or_create(
            user=user,
            defaults={
                "role": role,
                "display_name": display,
                "store": stores.get(store),
                "region": regions.get(region),
                "work_phone": "400-820-1234",
            },
        )
        users[username] = user
    return regions, stores, users


def _catalog():
    categories = {
        code: ProductCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": en}
        )[0]
        for code, name, en in CATEGORIES
    }
    models = []
    for category, brand, code, name, price, discontinued in MODELS:
        model, _ = ProductModel.objects.get_or_create(
            code=code,
            defaults={
                "category": categories[category],
                "brand": brand,
                "name": name,
                "guide_price": Decimal(price),
                "discontinued_on": datetime.date.fromisoformat(discontinued)
                if discontinued
                else None,
            },
        )
        models.append(model)
    return categories, models


def _phone(i: int) -> str:
    return f"13{(i % 9) + 1}{(20260000 + i * 7919) % 100000000:08d}"


def load_demo(
    *, progress: bool = False, out=sys.stderr, n_customers: int = 60, n_tickets: int = 300
) -> dict:
    """Load the demo. Returns how many customers and tickets it added (0 and 0 the second time)."""
    from tqdm import tqdm

    from kefu.tickets import services
    from kefu.tickets.models import Status, Ticket, TicketEvent

    rng = random.Random(2026)
    with transaction.atomic():
        regions, stores, users = _users()
        categories, models = _catalog()
    if Customer.objects.filter(phone=_phone(0)).exists():
        if progress:
            print("Demo data is already loaded; nothing added.", file=out)
        _app_demos()
        load_quality_demo()
        return {"customers": 0, "tickets": 0, **load_feedback_demo()}

    store_codes = list(stores)
    region_of = {code: region for code, _, region, _, _ in STORES}
    today = timezone.localdate()
    customers = []
    bar = tqdm(
        total=n_customers + n_tickets, desc="Demo data", unit="row", file=out, disable=not progress
    )
    with transaction.atomic():
        for i in range(n_customers):
            male = rng.random() < 0.5
            surname = rng.choice(SURNAMES)
            name = surname + rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)
            store = stores[store_codes[i % len(store_codes)]]
            city, districts = CITY_OF[region_of[store.code]]
            gender = ("male" if male else "female") if rng.random() < 0.8 else "unknown"
            customer = Customer.objects.create(
                name=name,
                phone=_phone(i),
                gender=gender,
                home_store=store,
                is_vip=rng.random() < 0.08,
                email=f"user{i:03d}@example.com" if rng.random() < 0.5 else "",
                address=f"{city}{rng.choice(districts)}{rng.choice(STREETS)}{rng.randint(1, 999)}号{rng.randint(1, 30)}栋{rng.randint(101, 2802)}室",
            )
            for _ in range(rng.choice([1, 1, 2, 3])):
                model = rng.choice(models)
                sold = today - datetime.timedelta(
                    days=rng.choice([2, 5, 10, 20, 45, 120, 200, 400, 800, 1500])
                )
                Purchase.objects.create(
                    customer=customer,
                    store=store,
                    category=model.category,
                    product_model=model,
                    model_name=f"{model.brand} {model.name}",
                    serial=f"SN{rng.randint(10**9, 10**10 - 1)}",
                    sale_date=sold,
                    invoice_number=f"{rng.randint(10**7, 10**8 - 1)}" if rng.random() < 0.9 else "",
                    production_date=sold - datetime.timedelta(days=rng.randint(20, 120)),
                    price=model.guide_price,
                    is_sample_unit=rng.random() < 0.05,
                    sales_channel=rng.choice(["store", "store", "store", "online", "phone"]),
                )
            customers.append(customer)
            bar.update(1)

    agents_by_store = {
        code: [u for u in users.values() if getattr(u.staff, "store_id", None) == stores[code].id]
        for code in store_codes
    }
    cs_people = [users["cs_agent"], users["cs_manager"], users["coordinator"]]
    types = list(TICKET_TEXTS)
    weights = [5, 1.5, 1.2, 4, 2, 4, 1, 1.5, 0.8, 0.3][: len(types)]
    now = timezone.now()
    for i in range(n_tickets):
        with transaction.atomic():
            customer = customers[rng.randrange(len(customers))]
            purchase = customer.purchases.order_by("id").first()
            ttype = rng.choices(types, weights=weights)[0]
            subject, description = rng.choice(TICKET_TEXTS[ttype])
            model_label = purchase.model_name.split(" ", 1)[-1] if purchase else "产品"
            store = purchase.store if purchase and purchase.store else customer.home_store
            opened = now - datetime.timedelta(minutes=rng.randint(10, 60 * 24 * 60))
            channel = rng.choice(["phone", "phone", "store", "web", "email", "chat", "social"])
            handlers = agents_by_store.get(store.code) or cs_people
            actor = rng.choice(handlers)
            priority = rng.choices(["low", "normal", "high", "urgent"], weights=[1, 6, 2, 0.7])[0]
            ticket, _ = services.open_ticket(
                actor=actor,
                type=ttype,
                channel=channel,
                subject=subject.format(model=model_label),
                description=description.format(model=model_label),
                store=store,
                customer=customer,
                priority=priority,
                purchase_id=purchase.pk if purchase else None,
                tags=["演示"] if i % 10 == 0 else (),
                opened_at=opened,
            )
            target = rng.choices(
                [
                    Status.NEW,
                    Status.OPEN,
                    Status.PENDING_CUSTOMER,
                    Status.ON_HOLD,
                    Status.RESOLVED,
                    Status.CLOSED,
                ],
                weights=[2, 2.5, 1.5, 0.5, 2, 1.5],
            )[0]
            stamp = opened
            if target != Status.NEW:
                services.add_reply(
                    actor=actor,
                    ticket=ticket,
                    body=rng.choice(REPLIES).format(greeting=customer.greeting),
                    public=True,
                )
                if rng.random() < 0.4:
                    services.add_reply(
                        actor=actor, ticket=ticket, body=rng.choice(NOTES), public=False
                    )
                if rng.random() < 0.5:
                    services.add_customer_message(ticket=ticket, body=rng.choice(CUSTOMER_MESSAGES))
                ticket.refresh_from_db(fields=["escalation_tier"])
                # Special cases (媒体, 12315, VIP …) already went straight to the CS department.
                if (
                    ttype == "complaint"
                    and rng.random() < 0.5
                    and ticket.escalation_tier != "cs_department"
                ):
                    services.escalate(actor=actor, ticket=ticket, reason="顾客要求店长出面处理")
                if target in (Status.PENDING_CUSTOMER, Status.ON_HOLD):
                    services.change_status(actor=actor, ticket=ticket, status=target)
                if target in (Status.RESOLVED, Status.CLOSED):
                    if (
                        ttype == "complaint"
                    ):  # kefu.quality: a complaint resolves only with its root cause
                        _demo_root_cause(actor, ticket, i)
                    services.change_status(
                        actor=actor,
                        ticket=ticket,
                        status=Status.RESOLVED,
                        note="已按约定处理完毕。",
                    )
                if target == Status.CLOSED:
                    services.change_status(actor=actor, ticket=ticket, status=Status.CLOSED)
                # Spread the follow-up events after the opening, in order.
                for event in TicketEvent.objects.filter(ticket=ticket).order_by("id")[1:]:
                    stamp = min(now, stamp + datetime.timedelta(minutes=rng.randint(5, 60 * 20)))
                    TicketEvent.objects.filter(pk=event.pk).update(created_at=stamp)
                resolved = stamp if target in (Status.RESOLVED, Status.CLOSED) else None
                Ticket.objects.filter(pk=ticket.pk).update(updated_at=stamp, resolved_at=resolved)
            bar.update(1)
    bar.close()
    _app_demos()
    load_quality_demo()
    return {"customers": n_customers, "tickets": n_tickets, **load_feedback_demo()}


# ---------------------------------------------------------------- service quality (kefu.quality)

DEMO_ROOT_CAUSES = [
    "slow_service",
    "promise_not_kept",
    "treated_rudely",
    "unskilled_technician",
    "hotline_unreachable",
    "urgent_or_long_wait",
    "product_quality",
]
# (username, ten self-assessment answers): one per band, so the history page has something to show.
DEMO_SELF_ASSESSMENTS = [
    ("staff_sh001", [9, 8, 9, 10, 8, 9, 8, 9, 9, 10]),
    ("staff_bj001", [7, 6, 7, 8, 5, 6, 5, 7, 6, 8]),
    ("cs_agent", [8, 7, 9, 9, 7, 8, 9, 8, 8, 9]),
]


def _demo_root_cause(actor, ticket, i: int) -> None:
    """Pick a root cause by the ticket's index, so the demo's random stream is not disturbed."""
    from kefu.quality.services import set_root_cause

    set_root_cause(actor=actor, ticket=ticket, code=DEMO_ROOT_CAUSES[i % len(DEMO_ROOT_CAUSES)])


def load_quality_demo(n_reviews: int = 12) -> dict:
    """QA scorecards on some resolved demo tickets, last week's QA sample and a few
    self-assessments. Idempotent: each part is skipped when its rows are already there."""
    from kefu.errors import Conflict
    from kefu.quality import rules
    from kefu.quality import services as quality
    from kefu.quality.models import QaReview, SelfAssessment
    from kefu.quality.selectors import week_start
    from kefu.tickets.models import Status, Ticket

    User = get_user_model()
    qa = User.objects.filter(username="qa").first()
    added = {"reviews": 0, "samples": 0, "self_assessments": 0}
    if qa is None:
        return added
    rng = random.Random(2027)
    if not QaReview.objects.filter(reviewer=qa).exists():
        sides = rules.standard_codes()
        for ticket in Ticket.objects.filter(status__in=[Status.RESOLVED, Status.CLOSED]).order_by(
            "id"
        )[:n_reviews]:
            # Each ticket leans one way, so the summaries show all four service types.
            procedure, personal = rng.choice([(4, 4), (4, 2), (2, 4), (2, 2), (5, 4)])
            scores = {
                c: {
                    "score": max(
                        1,
                        min(
                            5,
                            (procedure if side == "procedure" else personal)
                            + rng.choice([-1, 0, 0, 1]),
                        ),
                    ),
                    "note": "",
                }
                for c, side in sides.items()
            }
            try:
                quality.record_review(reviewer=qa, ticket=ticket, scores=scores, comment="演示评分")
            except Conflict:  # a ticket nobody worked has no agent to score
                continue
            added["reviews"] += 1
    last_week = week_start(timezone.localdate()) - datetime.timedelta(days=7)
    added["samples"] = len(quality.sample_week(last_week)) + len(
        quality.sample_week(last_week + datetime.timedelta(days=7))
    )
    for username, answers in DEMO_SELF_ASSESSMENTS:
        user = User.objects.filter(username=username).first()
        if user is not None and not SelfAssessment.objects.filter(staff__user=user).exists():
            quality.submit_self_assessment(actor=user, answers=answers)
            added["self_assessments"] += 1
    return added


# ---- the customer's voice (kefu.feedback): survey answers, follow-up calls, feedback cards, compensation ----

FEEDBACK_COMMENTS = [
    "师傅很专业，讲解也很耐心。",
    "处理速度很快，谢谢。",
    "等了好几天才有人联系我。",
    "问题解决了，但希望下次能提前打电话。",
    "客服态度很好。",
    "到现在还是没有修好，很失望。",
    "",
]
FEEDBACK_CARDS = [
    ("praise", "徐家汇店的王芳很热情，耐心帮我对比了三款冰箱，点赞！"),
    ("suggestion", "希望周末能延长营业时间到晚上十点。"),
    ("complaint", "收银台只开了一个，排队排了二十分钟。"),
    ("suggestion", "建议增加旧家电上门回收服务。"),
    ("other", "停车场入口的指示牌不太明显。"),
    ("complaint", "送货师傅没有提前打电话，家里没人白跑一趟。"),
    ("praise", "安装师傅做得很干净，还帮忙把包装带走了。"),
    ("suggestion", "希望在小程序上也能查到维修进度。"),
]
COMPENSATIONS = [  # (amount, kind, purpose, gift, reason)
    ("800.00", "cash", "loss", "", "维修多次未修好，误工补偿"),
    ("200.00", "cash", "loss", "", "送货时碰坏了顾客家的地板"),
    ("50.00", "gift", "goodwill", "清洁套装一套", "补送购买时承诺的赠品"),
    ("3000.00", "cash", "loss", "", "冰箱故障导致食物损坏，按清单赔偿"),
    ("30.00", "voucher", "goodwill", "30元代金券", "安装师傅迟到，致歉"),
]


def load_feedback_demo() -> dict:
    """Survey answers, the follow-up sweep with some calls made, feedback cards and compensation.
    Idempotent: nothing is added when demo feedback cards exist already."""
    from kefu.feedback import services as feedback
    from kefu.feedback.models import FeedbackCard, FollowUp, Survey
    from kefu.tickets.models import Ticket

    if FeedbackCard.objects.exists():
        return {"surveys_answered": 0, "followups": 0, "cards": 0, "compensations": 0}
    rng = random.Random(2027)
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=[d[0] for d in DEMO_USERS])
    }
    answered = 0
    for survey in Survey.objects.filter(answered_at__isnull=True).order_by("id"):
        if rng.random() < 0.6:
            csat = rng.choices([5, 4, 3, 2, 1], weights=[5, 3, 1, 0.6, 0.4])[0]
            answers = {
                code: max(1, min(5, csat + rng.choice([-1, 0, 0, 1])))
                for code in ("timely", "attitude", "solved")
            }
            feedback.answer_survey(
                token=survey.token,
                csat=csat,
                answers=answers,
                comment=rng.choice(FEEDBACK_COMMENTS),
            )
            answered += 1
    # As if the daily sweep had run every morning of the demo's two months; calls older than a
    # week were made, the rest are still on the list (some of them overdue).
    today = timezone.localdate()
    made = sum(
        feedback.generate_followups(today=today - datetime.timedelta(days=d))
        for d in range(60, -1, -1)
    )
    week_ago = today - datetime.timedelta(days=7)
    for call in FollowUp.objects.filter(
        done_at__isnull=True, reason="rule", due_on__lt=week_ago
    ).order_by("id"):
        outcome = rng.choices(["satisfied", "reached", "not_reached"], weights=[6, 2, 1])[0]
        feedback.record_call(
            actor=users["cs_agent"],
            followup_id=call.pk,
            outcome=outcome,
            note="顾客表示满意" if outcome == "satisfied" else "",
        )
    stores = list(Store.objects.order_by("code"))
    # Every third card is signed, by a demo customer already on file (the demo adds no one new).
    signers = list(Customer.objects.exclude(phone=None).order_by("id")[:3])
    for i, (category, text) in enumerate(FEEDBACK_CARDS):
        signer = signers[i // 3] if i % 3 == 0 and i // 3 < len(signers) else None
        feedback.submit_card(
            store=stores[i % len(stores)].code,
            category=category,
            text=text,
            name=signer.name if signer else "",
            phone=signer.phone if signer else "",
            gender=signer.gender if signer else None,
            consent=signer is not None,
        )
    complaints = [
        t
        for t in (
            Ticket.objects.filter(type="complaint", store__code=code)
            .select_related("store", "region")
            .first()
            for code in ("SH001", "BJ001", "SH002", "GZ001", "BJ002")
        )
        if t
    ]
    deciders = {
        "store_manager": "manager_{store}",
        "regional_manager": "region_{region}",
        "cs_department": "cs_manager",
    }
    given = 0
    for n, (ticket, (amount, kind, purpose, gift, reason)) in enumerate(
        zip(complaints, COMPENSATIONS, strict=False)
    ):
        staff = users.get(f"staff_{ticket.store.code.lower()}") or users["cs_agent"]
        item = feedback.request_compensation(
            actor=staff,
            ticket=ticket,
            kind=kind,
            purpose=purpose,
            amount=amount,
            gift=gift,
            reason=reason,
        )
        given += 1
        decider = users.get(
            deciders.get(item.awaiting_tier, "").format(
                store=ticket.store.code.lower(), region=ticket.region.code
            )
        )
        if (
            item.status == "requested" and decider and n < len(complaints) - 1
        ):  # the last one waits, to show the queue
            feedback.approve_compensation(actor=decider, compensation_id=item.pk, note="同意")
    return {
        "surveys_answered": answered,
        "followups": made,
        "cards": len(FEEDBACK_CARDS),
        "compensations": given,
    }


def _app_demos() -> dict:
    """Each app's own demo rows: every installed app with a ``demo`` module whose
    ``load(password) -> dict`` adds them (idempotent), in INSTALLED_APPS order, after the
    chain, its customers and tickets exist (e.g. kefu.aftersales.demo: technicians, orders)."""
    added = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if config.name.startswith("kefu.") and name != __name__ and find_spec(name) is not None:
            added.update(import_module(name).load(DEMO_PASSWORD) or {})
    return added
