"""Demo data (`kefu demo`): a believable chain of six stores in three regions, its people,
60 customers with their purchases, and a 90-day history of about 300 tickets written by the
real services at the moments they happened (clocks, breaches, escalations, surveys, 回访).
Idempotent: a second run adds nothing."""

import contextlib
import datetime
import functools
import heapq
import io
import logging
import random
import sys
from contextlib import contextmanager
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from kefu.backdate import at
from kefu.catalog.models import ProductCategory, ProductModel
from kefu.customers.models import Customer
from kefu.errors import KefuError
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

# What goes wrong depends on the product: a fridge stops cooling, a phone stops charging, a TV
# never leaks. (subject, description); {model} is the product as the customer names it.
FAULTS = {
    "refrigerator": [
        (
            "{model}不制冷",
            "{model}这两天突然不制冷了，冷藏室温度很高，食物都快坏了，希望尽快派人上门检修。",
        ),
        ("{model}冷冻室结霜严重", "{model}冷冻室后壁结了厚厚一层霜，抽屉都拉不开了。"),
        ("{model}运行噪音大", "{model}压缩机运行时嗡嗡响，晚上特别明显，影响休息。"),
        ("{model}冷藏室底部积水", "{model}冷藏室最下层老是有积水，擦干了第二天又有。"),
        ("{model}显示屏报E1故障码", "{model}显示屏一直闪E1，说明书上说是传感器故障。"),
    ],
    "washing_machine": [
        ("{model}不排水", "{model}洗完以后不排水，桶里一直有水，衣服泡着拿不出来。"),
        ("{model}脱水时震动很大", "{model}一到脱水就剧烈晃动，还会移位，已经调过底脚了。"),
        ("{model}底部漏水", "{model}洗衣服的时候底部漏水，地面全湿了，请尽快安排维修。"),
        ("{model}门锁打不开", "{model}程序结束了门锁还是打不开，显示屏上门锁灯一直亮着。"),
        ("{model}开机无反应", "{model}插上电源后按开机键没有任何反应，已经换过插座了。"),
    ],
    "air_conditioner": [
        ("{model}不制冷", "{model}开了半小时吹出来的还是热风，外机在转，屋里一点都不凉。"),
        ("{model}室内机滴水", "{model}室内机往下滴水，墙面都泡了，麻烦尽快上门看看。"),
        ("{model}外机异响", "{model}外机运行时有咔咔的异响，邻居也来反映了。"),
        ("{model}制热效果差", "{model}开制热半天房间温度也上不去，出风是温的。"),
    ],
    "tv": [
        ("{model}屏幕出现竖线", "{model}屏幕中间出现一条竖线，重启后也没有消失。"),
        ("{model}有声音没图像", "{model}开机后有声音但是屏幕黑的，背光好像不亮。"),
        ("{model}开机无反应", "{model}按遥控器和机身按键都开不了机，指示灯也不亮。"),
        ("{model}无法连接无线网络", "{model}连不上家里的Wi-Fi，其他设备都能正常上网。"),
    ],
    "mobile_phone": [
        ("{model}充不进电", "{model}用了两个月，现在充电很慢，有时候充不进电，电池也不耐用。"),
        ("{model}屏幕触控失灵", "{model}屏幕右下角点了没反应，打字很不方便。"),
        ("{model}发热严重", "{model}打电话和看视频的时候机身很烫，还会自动降亮度。"),
        ("{model}摄像头无法对焦", "{model}后置摄像头拍照一直模糊，对不上焦。"),
    ],
    "computer": [
        ("{model}频繁蓝屏", "{model}每天都会蓝屏两三次，重装系统以后还是一样。"),
        ("{model}键盘部分按键失灵", "{model}键盘上的几个字母键按了没反应，外接键盘是好的。"),
        ("{model}风扇噪音大", "{model}稍微开几个网页风扇就狂转，声音很大。"),
        ("{model}电池充不进电", "{model}插着电源也显示未在充电，拔掉电源马上关机。"),
    ],
}
# Only products that are delivered and installed get delivery and installation tickets.
BIG_APPLIANCES = {"refrigerator", "washing_machine", "air_conditioner", "tv"}
TICKET_TEXTS = {
    "return_exchange": [
        ("{model}申请退货", "{model}收到第三天就出现故障，要求退货退款。"),
        ("{model}想换货", "{model}买回来外观有划痕，不影响使用，但心里不舒服，想换一台新的。"),
        ("{model}七天无理由退货", "在网上商城买的{model}，还没拆封，想七天无理由退货。"),
    ],
    "complaint": [
        (
            "安装师傅迟到三个小时",
            "约好上午十点安装{model}，师傅下午一点才到，也没有提前打电话说明，非常不满意。",
        ),
        ("维修多次仍未修好", "{model}已经修了两次了，还是同样的问题，要求给个说法。"),
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
# How often each type comes in (fault reports and consultations lead, as at any chain).
TYPE_WEIGHTS = {
    "fault_report": 5,
    "return_exchange": 1.5,
    "complaint": 1.4,
    "installation": 1.6,
    "delivery": 1.2,
    "consultation": 3,
    "order": 0.8,
    "suggestion": 0.4,
    "training": 0.2,
}
FIRST_REPLIES = {
    "fault_report": [
        "{greeting}，非常抱歉给您带来不便。我们已经记录了故障情况，会安排维修师傅与您预约上门时间。",
        "{greeting}，请您方便时拍一张产品铭牌和故障部位的照片发给我们，这样师傅可以提前备好配件。",
        "{greeting}，根据您的购买日期，产品还在三包有效期内，这次维修免费，请您放心。",
    ],
    "return_exchange": [
        "{greeting}，您的退换货申请已收到，我们会按三包规定核实后尽快给您答复。",
        "{greeting}，请保留好发票和包装，师傅上门检测后我们马上为您办理。",
    ],
    "complaint": [
        "{greeting}，对于这次的不愉快经历，我们深表歉意。门店店长会在今天给您回电，当面向您说明处理方案。",
        "{greeting}，非常抱歉让您失望了，您反映的情况我们已经记录，会认真核实并给您一个交代。",
    ],
    "installation": [
        "{greeting}，已为您预约安装，师傅出发前会先给您打电话，请您保持电话畅通。",
    ],
    "delivery": [
        "{greeting}，我们查到您的订单已经出库，预计后天送达，送货前司机会与您联系确认时间。",
        "{greeting}，可以的，已经为您把送货时间改到周六，司机会提前联系您。",
    ],
    "consultation": [
        "{greeting}，整机保修一年，压缩机、主板等主要部件保修更长，具体以保修卡为准。",
        "{greeting}，目前门店有以旧换新活动，旧机可以抵扣部分货款，欢迎到店详询。",
        "{greeting}，支持信用卡和花呗分期，部分期数免手续费，店员可以帮您办理。",
    ],
}
DEFAULT_REPLIES = [
    "{greeting}，感谢您的反馈，我们已经记录，会尽快处理并告诉您结果。",
    "{greeting}，您反映的情况已转给相关同事，今天内会有专人联系您。",
]
FOLLOW_REPLIES = [
    "{greeting}，师傅明天上午九点到十二点之间上门，出发前会先给您打电话。",
    "{greeting}，配件已经到店，我们今天下午和您约上门时间。",
    "{greeting}，已经和门店确认过了，会按您的要求处理，请您放心。",
]
# Every reply the demo sends a customer (tests/quality/test_shipped_texts.py checks them all).
REPLIES = (
    [r for replies in FIRST_REPLIES.values() for r in replies] + DEFAULT_REPLIES + FOLLOW_REPLIES
)
NOTES = [
    "已电话联系顾客，顾客情绪较激动，先安抚后再约上门时间。",
    "配件需要从总仓调货，预计三天到店。",
    "顾客要求店长回电，已转告店长。",
    "查询维修记录：该机此前维修过一次。",
]
CUSTOMER_MESSAGES = [
    "好的，谢谢，我等师傅电话。",
    "照片已经拍好发过来了，请查收。",
    "已经过去两天了，还没有人联系我，请尽快处理。",
    "明天上午家里有人，可以上门。",
]
RESOLUTIONS = {
    "fault_report": "师傅已上门维修，故障排除，顾客确认可以正常使用。",
    "return_exchange": "已按三包规定为顾客办理完毕。",
    "complaint": "店长已致电顾客道歉并说明改进措施，顾客表示接受。",
    "installation": "已上门安装完毕，顾客验收签字。",
    "delivery": "已送货到家，顾客签收。",
}


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
    hashed = functools.cache(lambda: make_password(DEMO_PASSWORD))
    for username, display, role, store, region, superuser in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                is_staff=superuser or role in (Role.CS_MANAGER,),
                is_superuser=superuser,
            )
            user.password = hashed()  # one slow hash for all the demo logins
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


def _label(model) -> str:
    """The product as a customer names it: brand and name, the brand once ("星河 14 手机")."""
    return model.name if model.name.startswith(model.brand) else f"{model.brand} {model.name}"


def _phone(i: int) -> str:
    return f"13{(i % 9) + 1}{(20260000 + i * 7919) % 100000000:08d}"


class History:
    """Steps of many tickets' lives run in time order, each at its own moment, with the SLA
    sweep run whenever a clock falls due in between (as the worker would, every minute)."""

    def __init__(self, end: datetime.datetime):
        self.end = end
        self.queue: list = []
        self.seq = 0
        self.failed = 0

    def add(self, life) -> None:
        self._advance(life, None)

    def _advance(self, life, now) -> None:
        try:
            moment = next(life)
        except StopIteration:
            return
        if now is not None:  # a story's steps never go back in time
            moment = max(moment, now + datetime.timedelta(minutes=1))
        if moment < self.end:
            self.seq += 1
            heapq.heappush(self.queue, (moment, self.seq, life))

    def run(self, tick=lambda: None) -> None:
        while self.queue:
            moment, _seq, life = heapq.heappop(self.queue)
            self.sweep(moment)
            with at(moment):
                try:
                    self._advance(life, moment)
                except KefuError:  # a step the rules refuse: this ticket's story ends here
                    self.failed += 1
            tick()
        self.sweep(self.end)

    def sweep(self, until: datetime.datetime) -> None:
        """Fire every warning and breach due before ``until``, each at its own minute, and climb
        the rungs the policies ask for at that moment."""
        from kefu.sla import services as sla
        from kefu.sla.models import SlaClock
        from kefu.tickets.models import Ticket

        for _guard in range(1000):
            due = Ticket.objects.filter(sla_next_due__isnull=False).aggregate(
                m=Min("sla_next_due")
            )["m"]
            if due is None or due > until:
                return
            moment = due + datetime.timedelta(seconds=30)
            with at(moment):
                sla.sweep(now=moment)
                pending = list(
                    SlaClock.objects.filter(escalation_pending=True).values_list("pk", flat=True)
                )
                if pending:  # the queued task, run now instead of by a worker later
                    sla.escalate_breaches(pending)


# -------------------------------------------------------------------- when customers get in touch

# Hour-of-day weights per channel: the hotline answers 8–22 with lunch and evening peaks;
# stores open 10–21 with afternoon crowds; online channels run later into the night.
_HOTLINE = {
    8: 2,
    9: 5,
    10: 7,
    11: 9,
    12: 9,
    13: 7,
    14: 6,
    15: 6,
    16: 6,
    17: 6,
    18: 6,
    19: 8,
    20: 8,
    21: 5,
}
_STORE = {10: 3, 11: 5, 12: 5, 13: 6, 14: 8, 15: 8, 16: 8, 17: 6, 18: 5, 19: 6, 20: 4}
_ONLINE = {
    0: 1,
    7: 1,
    8: 2,
    9: 3,
    10: 4,
    11: 5,
    12: 6,
    13: 4,
    14: 4,
    15: 4,
    16: 4,
    17: 4,
    18: 4,
    19: 6,
    20: 7,
    21: 7,
    22: 5,
    23: 3,
}
HOURS = {"phone": _HOTLINE, "store": _STORE}
# Weekday weights (Monday = 0): stores are busiest at weekends, the hotline on Mondays.
DAYS = {"store": [0.8, 0.8, 0.8, 0.9, 1.0, 1.8, 1.7], "phone": [1.3, 1.1, 1.0, 1.0, 1.0, 1.1, 0.9]}
CHANNELS = {"phone": 4, "store": 3, "web": 1.2, "chat": 1.2, "email": 0.6, "social": 0.4}
HISTORY_DAYS = 90


def _opened_at(rng, channel: str, now: datetime.datetime) -> datetime.datetime:
    hours = HOURS.get(channel, _ONLINE)
    week = DAYS.get(channel, [1, 1, 1, 1, 1, 1.2, 1.2])
    today = timezone.localdate(now)
    while True:
        day = today - datetime.timedelta(days=rng.randrange(HISTORY_DAYS))
        if rng.random() * 1.8 > week[day.weekday()]:
            continue
        hour = rng.choices(list(hours), weights=list(hours.values()))[0]
        moment = timezone.make_aware(
            datetime.datetime.combine(
                day, datetime.time(hour, rng.randrange(60), rng.randrange(60))
            )
        )
        if moment < now - datetime.timedelta(minutes=20):
            return moment


def _working(moment: datetime.datetime) -> datetime.datetime:
    """The next moment an agent is at work (8:30–21:30 local) at or after ``moment``."""
    local = timezone.localtime(moment)
    if local.hour < 8 or (local.hour == 8 and local.minute < 30):
        local = local.replace(hour=8, minute=30 + local.minute % 30)
    elif local.hour >= 22 or (local.hour == 21 and local.minute > 30):
        local = (local + datetime.timedelta(days=1)).replace(hour=8, minute=30 + local.minute % 30)
    return local


def _before(rng, start, due, *, late: bool) -> datetime.datetime:
    """A moment for the next step: comfortably before ``due`` (agents at work), or after it."""
    if due is None:
        due = start + datetime.timedelta(hours=24)
    if late:
        return _working(due + datetime.timedelta(minutes=rng.randint(20, 60 * 20)))
    for _ in range(20):
        span = (due - start).total_seconds()
        moment = _working(start + datetime.timedelta(seconds=span * rng.uniform(0.1, 0.85)))
        if moment < due:
            return moment
    return start + (due - start) / 2


class Plan:
    """One ticket's story, decided up front from its own random stream."""

    def __init__(self, i, rng, customer, models, users, now):
        self.i, self.rng, self.customer, self.users, self.now = i, rng, customer, users, now
        self.channel = rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0]
        self.opened = _opened_at(rng, self.channel, now)
        self.type = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
        self.priority = rng.choices(["low", "normal", "high", "urgent"], weights=[1, 6, 2, 0.5])[0]
        self.models = models
        self.ticket = None
        # A few tickets arrived in the last hour and wait for their first answer, whatever the
        # time of day the demo is loaded at (the queue always has someone waiting). Drawn
        # without this plan's random stream, so every other story stays as it was.
        self.fresh = i % 75 == 1
        if self.fresh:
            self.opened = now - datetime.timedelta(minutes=5 + (i * 7) % 45)

    def purchase(self):
        """The purchase this ticket is about, bought before it: one on file, or a new one made
        now (a delivery, an installation or a return follows a fresh sale)."""
        rng, opened = self.rng, timezone.localdate(self.opened)
        if self.type in ("consultation", "suggestion", "training"):
            return None, _label(rng.choice(self.models))
        if self.type == "fault_report":
            owned = [
                p
                for p in self.customer.purchases.select_related("product_model")
                if p.sale_date <= opened - datetime.timedelta(days=3) and p.category.code in FAULTS
            ]
            if owned and rng.random() < 0.7:
                p = rng.choice(owned)
                return p, _label(p.product_model)
            sold = opened - datetime.timedelta(days=rng.randint(10, 700))
            pool = [m for m in self.models if m.category.code in FAULTS]
        elif self.type in ("installation", "delivery"):
            sold = opened - datetime.timedelta(days=rng.randint(1, 5))
            pool = [m for m in self.models if m.category.code in BIG_APPLIANCES]
        elif self.type == "return_exchange":
            sold = opened - datetime.timedelta(days=rng.randint(1, 6))
            pool = self.models
        else:
            owned = [p for p in self.customer.purchases.all() if p.sale_date < opened]
            if owned:
                p = rng.choice(owned)
                return p, _label(p.product_model)
            sold = opened - datetime.timedelta(days=rng.randint(1, 60))
            pool = self.models
        return _buy(rng, self.customer, rng.choice(pool), sold), None

    def handler(self, store):
        people = [
            u
            for u in self.users.values()
            if getattr(getattr(u, "staff", None), "store_id", None) == store.id
            and u.staff.role == Role.STORE_STAFF
        ]
        return self.rng.choice(people or [self.users["cs_agent"], self.users["coordinator"]])


def _buy(rng, customer, model, sold: datetime.date):
    from kefu.customers.models import Purchase

    return Purchase.objects.create(
        customer=customer,
        store=customer.home_store,
        category=model.category,
        product_model=model,
        model_name=_label(model),
        serial=f"SN{rng.randint(10**9, 10**10 - 1)}",
        sale_date=sold,
        invoice_number=f"{rng.randint(10**7, 10**8 - 1)}" if rng.random() < 0.9 else "",
        production_date=sold - datetime.timedelta(days=rng.randint(20, 120)),
        price=model.guide_price,
        is_sample_unit=rng.random() < 0.05,
        sales_channel=rng.choice(["store", "store", "store", "online", "phone"]),
    )


def _first_response_waits(ticket) -> bool:
    from kefu.sla.models import SlaClock

    return SlaClock.objects.filter(
        ticket=ticket, target="first_response", stopped_at__isnull=True
    ).exists()


def _life(plan: Plan):
    """Open, answer (on time mostly), work, resolve, hear the customer, close."""
    from kefu.aftersales import demo as aftersales_demo
    from kefu.feedback import demo as feedback_demo
    from kefu.quality import demo as quality_demo
    from kefu.sla import services as sla
    from kefu.tickets import services
    from kefu.tickets.models import Status

    rng, customer = plan.rng, plan.customer
    yield plan.opened
    purchase, label = plan.purchase()
    if purchase is not None:
        label = purchase.model_name
        texts = FAULTS[purchase.category.code] if plan.type == "fault_report" else None
    else:
        texts = None
    subject, description = rng.choice(texts or TICKET_TEXTS[plan.type])
    store = purchase.store if purchase is not None and purchase.store else customer.home_store
    actor = plan.handler(store)
    ticket, _created = services.open_ticket(
        actor=actor,
        type=plan.type,
        channel=plan.channel,
        subject=subject.format(model=label),
        description=description.format(model=label),
        store=store,
        customer=customer,
        priority=plan.priority,
        purchase_id=purchase.pk if purchase is not None else None,
        tags=["演示"] if plan.i % 10 == 0 else (),
        opened_at=plan.opened,
    )
    plan.ticket = ticket
    if plan.fresh:
        return  # just come in: waiting for its first answer
    late_first = rng.random() < 0.12
    first = _before(rng, plan.opened, ticket.first_response_due, late=late_first)
    yield first
    ticket.refresh_from_db()
    greeting = customer.greeting
    services.add_reply(
        actor=actor,
        ticket=ticket,
        body=rng.choice(FIRST_REPLIES.get(plan.type, DEFAULT_REPLIES)).format(greeting=greeting),
    )
    late_end = rng.random() < (0.35 if late_first else 0.1)
    due = ticket.resolution_due or first + datetime.timedelta(days=2)
    end = _before(rng, first, due, late=late_end)
    if end - first < datetime.timedelta(hours=1):
        end = _working(first + datetime.timedelta(hours=rng.randint(1, 4)))
    if _first_response_waits(ticket):  # the policy wants the solution timetable promised too
        sla.set_solution_timetable(
            actor=actor, ticket=ticket, promised_at=end + datetime.timedelta(hours=2)
        )
    steps = sorted(first + (end - first) * rng.uniform(0.1, 0.9) for _ in range(3))
    if rng.random() < 0.4:
        yield steps[0]
        services.add_reply(actor=actor, ticket=ticket, body=rng.choice(NOTES), public=False)
    order = None
    if plan.type in ("fault_report", "return_exchange") and purchase is not None:
        yield steps[0] + datetime.timedelta(minutes=20)
        order = aftersales_demo.open_order(actor, ticket)
    if plan.type == "complaint":
        ticket.refresh_from_db(fields=["escalation_tier"])
        if rng.random() < 0.45 and ticket.escalation_tier == "store_staff":
            yield steps[0] + datetime.timedelta(minutes=40)
            services.escalate(actor=actor, ticket=ticket, reason="顾客要求店长出面处理")
    if rng.random() < 0.3:
        yield _working(steps[1])
        ticket.refresh_from_db()
        services.change_status(
            actor=actor, ticket=ticket, status=Status.PENDING_CUSTOMER, note="请顾客提供照片"
        )
        yield steps[1] + datetime.timedelta(hours=rng.randint(2, 30))
        services.add_customer_message(ticket=ticket, body=rng.choice(CUSTOMER_MESSAGES[:2]))
        yield _working(steps[2])
        services.add_reply(
            actor=actor, ticket=ticket, body=rng.choice(FOLLOW_REPLIES).format(greeting=greeting)
        )
    elif rng.random() < 0.2:
        yield steps[1]
        services.add_customer_message(ticket=ticket, body=rng.choice(CUSTOMER_MESSAGES[2:]))
        yield _working(steps[1] + datetime.timedelta(minutes=rng.randint(20, 240)))
        services.add_reply(
            actor=actor, ticket=ticket, body=rng.choice(FOLLOW_REPLIES).format(greeting=greeting)
        )
    if order is not None:
        yield end - datetime.timedelta(minutes=rng.randint(30, 90))
        aftersales_demo.finish_order(actor, order, rng)
    yield end
    ticket.refresh_from_db()
    if plan.type == "complaint":  # a complaint resolves only with its root cause
        quality_demo.root_cause(actor, ticket, rng)
    services.change_status(
        actor=actor,
        ticket=ticket,
        status=Status.RESOLVED,
        note=RESOLUTIONS.get(plan.type, "已按约定处理完毕。"),
    )
    if rng.random() < 0.6:
        yield end + datetime.timedelta(minutes=rng.randint(60, 60 * 48))
        if feedback_demo.answer_survey(ticket, rng, late=late_first or late_end):
            # A low score reopened it for the store manager, who calls and settles it.
            manager = plan.users.get(f"manager_{store.code.lower()}") or plan.users["cs_manager"]
            yield _working(timezone.now() + datetime.timedelta(hours=rng.randint(2, 20)))
            feedback_demo.call_unhappy(manager, ticket)
            ticket.refresh_from_db()
            services.change_status(
                actor=manager,
                ticket=ticket,
                status=Status.RESOLVED,
                note="店长已回访顾客并重新处理，顾客接受处理结果。",
            )
            end = timezone.now()
    if rng.random() < 0.75:
        yield _working(end + datetime.timedelta(days=rng.randint(3, 10)))
        ticket.refresh_from_db()
        if ticket.status == Status.RESOLVED:
            services.change_status(actor=actor, ticket=ticket, status=Status.CLOSED)


def _mornings(start: datetime.date, today: datetime.date):
    """Each day: the follow-up sweep at seven, the calls made in the afternoon."""
    from kefu.feedback import demo as feedback_demo

    rng = random.Random(4242)
    day = start
    while day <= today:
        yield timezone.make_aware(datetime.datetime.combine(day, datetime.time(7, 0)))
        feedback_demo.morning(day)
        yield timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(15, rng.randrange(60)))
        )
        feedback_demo.afternoon_calls(day, rng, last_day=today)
        day += datetime.timedelta(days=1)


def load_demo(
    *, progress: bool = False, out=sys.stderr, n_customers: int = 60, n_tickets: int = 300
) -> dict:
    """Load the demo: the chain, its people and a 90-day history of tickets written by the real
    services at the moments they happened. Returns how many customers and tickets it added
    (0 and 0 the second time), with what each app's demo added."""
    from tqdm import tqdm

    with _quiet():
        with transaction.atomic():
            regions, stores, users = _users()
            categories, models = _catalog()
        if Customer.objects.filter(phone=_phone(0)).exists():
            if progress:
                print("Demo data is already loaded; nothing added.", file=out)
            return {"customers": 0, "tickets": 0, **_app_demos()}
        bar = tqdm(
            total=n_customers + n_tickets,
            desc="Demo data",
            unit="row",
            file=out,
            disable=not progress,
        )
        now = timezone.now()
        start = now - datetime.timedelta(days=HISTORY_DAYS)
        rng = random.Random(2026)
        customers = []
        with transaction.atomic():
            store_codes = list(stores)
            region_of = {code: region for code, _, region, _, _ in STORES}
            for i in range(n_customers):
                with at(start - datetime.timedelta(days=rng.randint(1, 900))):
                    customers.append(
                        _customer(
                            rng, i, stores[store_codes[i % len(store_codes)]], region_of, models
                        )
                    )
                bar.update(1)
        history = History(now)
        plans = [
            Plan(i, random.Random(2026 * 1000 + i), rng.choice(customers), models, users, now)
            for i in range(n_tickets)
        ]
        for plan in plans:
            history.add(_life(plan))
        history.add(_mornings(timezone.localdate(start), timezone.localdate(now)))
        opened = set()

        def tick():
            done = sum(1 for p in plans if p.ticket is not None) - len(opened)
            if done:
                opened.update(p.i for p in plans if p.ticket is not None)
                bar.update(done)

        with transaction.atomic():
            history.run(tick)
        bar.close()
        from kefu.aftersales.models import ServiceOrder

        added = {
            "customers": n_customers,
            "tickets": n_tickets,
            "orders": ServiceOrder.objects.count(),
            **_app_demos(),
        }
        _deliver_history(now)
        return added


def _deliver_history(now) -> int:
    """The history's messages to customers went out when they happened: each one the load
    queued (dated by the pipeline at the load's commit) is dated by its timeline event, held by
    quiet hours as it would have been, and sent by the real pipeline backdated to that moment,
    its timeline line with it; its queued task then finds it sent. Without this the first
    `kefu run` would send three months of messages at once."""
    from kefu.channels import rules as channel_rules
    from kefu.channels.models import Delivery, DeliveryStatus
    from kefu.channels.services import send_delivery

    sent = 0
    queued = Delivery.objects.filter(status=DeliveryStatus.QUEUED, event__isnull=False)
    rows = queued.order_by("pk").values_list("pk", "channel", "event__created_at")
    with contextlib.redirect_stdout(io.StringIO()):  # the console backend prints each one
        for pk, channel, happened in rows:
            held = channel_rules.quiet_until(channel, timezone.localtime(happened))
            moment = (held or happened) + datetime.timedelta(seconds=20)
            if moment > now:
                continue  # still held by tonight's quiet hours: the consumer sends it
            Delivery.objects.filter(pk=pk).update(created_at=happened, not_before=held)
            with at(moment), transaction.atomic():
                sent += send_delivery(pk) == DeliveryStatus.SENT
    return sent


def _customer(rng, i, store, region_of, models):
    male = rng.random() < 0.5
    city, districts = CITY_OF[region_of[store.code]]
    customer = Customer.objects.create(
        name=rng.choice(SURNAMES) + rng.choice(GIVEN_MALE if male else GIVEN_FEMALE),
        phone=_phone(i),
        gender=("male" if male else "female") if rng.random() < 0.8 else "unknown",
        home_store=store,
        is_vip=rng.random() < 0.06,
        email=f"user{i:03d}@example.com" if rng.random() < 0.5 else "",
        address=f"{city}{rng.choice(districts)}{rng.choice(STREETS)}{rng.randint(1, 999)}号{rng.randint(1, 30)}栋{rng.randint(101, 2802)}室",
    )
    # What they bought before the history starts; what they buy during it comes with its ticket.
    today = timezone.localdate()
    for _ in range(rng.choice([1, 1, 2, 3])):
        _buy(
            rng,
            customer,
            rng.choice(models),
            today - datetime.timedelta(days=rng.randint(30, 1500)),
        )
    return customer


@contextmanager
def _quiet():
    """The load prints its progress bar and summary only: the services' info lines (notices,
    refused steps) stay out of the terminal."""
    loggers = [logging.getLogger(name) for name in ("kefu", "huey")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


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
