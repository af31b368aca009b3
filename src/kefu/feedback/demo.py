"""The customer's voice in `kefu demo`: survey answers whose comments match their scores,
follow-up calls (回访) made the days after resolution, feedback cards over the history and a few
compensations. The ticket history (kefu.web.demo) calls answer_survey, call_unhappy, morning
and afternoon_calls at the moments they happen; load() adds the cards and compensations once."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from kefu.backdate import at
from kefu.customers.models import Customer
from kefu.org.models import Store
from kefu.tickets.models import Ticket

from . import services
from .models import CallOutcome, FeedbackCard, FollowUp, FollowUpReason, Survey

# What customers write, by the score they give: praise at 5, a reservation at 4, a complaint at
# 3 and below. Empty strings: most people leave no comment.
COMMENTS = {
    5: [
        "师傅很专业，讲解也很耐心。",
        "处理速度很快，谢谢。",
        "客服态度很好，一次就解决了。",
        "上门准时，服务周到。",
        "",
        "",
    ],
    4: [
        "问题解决了，但希望下次能提前打电话。",
        "整体满意，就是等配件多等了两天。",
        "服务不错。",
        "",
        "",
    ],
    3: [
        "问题解决了，但前后跑了好几次。",
        "等了好几天才有人联系我。",
        "一般吧，效率可以再高一点。",
        "",
    ],
    2: ["打了好几次电话才有人处理，太慢了。", "师傅上门没带配件，又白等了一天。"],
    1: ["到现在还是没有修好，很失望。", "态度很差，推来推去没人负责。"],
}
CARDS = [
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


def answer_survey(ticket, rng, *, late: bool) -> bool:
    """The customer answers the survey sent on resolution; a ticket answered late scores lower.
    True when the score was low (the service has reopened the ticket for the store manager)."""
    survey = Survey.objects.filter(ticket=ticket, answered_at__isnull=True).first()
    if survey is None:
        return False
    weights = [1.5, 2, 3, 3, 1.5] if late else [0.3, 0.4, 1, 3.5, 6]
    csat = rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
    answers = {
        code: max(1, min(5, csat + rng.choice([-1, 0, 0, 0, 1])))
        for code in ("timely", "attitude", "solved")
    }
    services.answer_survey(
        token=survey.token, csat=csat, answers=answers, comment=rng.choice(COMMENTS[csat])
    )
    ticket.refresh_from_db()
    return ticket.status not in ("resolved", "closed")


def call_unhappy(manager, ticket) -> None:
    """The store manager's call about a low score: reached, the customer heard out."""
    for call in FollowUp.objects.filter(ticket=ticket, done_at__isnull=True).order_by("id"):
        services.record_call(
            actor=manager,
            followup_id=call.pk,
            outcome=CallOutcome.REACHED,
            note="已致电顾客道歉，约定重新上门处理。",
        )


def morning(day: datetime.date) -> int:
    """The daily follow-up sweep, as the periodic task runs it."""
    return services.generate_followups(today=day)


def afternoon_calls(day: datetime.date, rng, *, last_day: datetime.date) -> int:
    """The agent works through the calls due today: most customers are reached and satisfied,
    some do not pick up (tried again another day). The calls of the load's last two days stay on
    the list, as on any real desk."""
    agent = get_user_model().objects.filter(username="cs_agent").first()
    if agent is None or day >= last_day - datetime.timedelta(days=1):
        return 0
    made = 0
    for call in FollowUp.objects.filter(
        done_at__isnull=True, reason=FollowUpReason.RULE, due_on__lte=day
    ).order_by("due_on", "id")[:12]:
        if rng.random() < 0.25:  # not today
            continue
        outcome = rng.choices(
            [CallOutcome.SATISFIED, CallOutcome.REACHED, CallOutcome.NOT_REACHED], weights=[7, 2, 1]
        )[0]
        services.record_call(
            actor=agent,
            followup_id=call.pk,
            outcome=outcome,
            note={
                "satisfied": "顾客表示满意，产品使用正常。",
                "reached": "顾客在忙，简单确认已解决。",
            }.get(outcome, ""),
        )
        made += 1
    return made


def load(password: str) -> dict:
    """Feedback cards over the history and compensation on five complaints, once (nothing is
    added when demo feedback cards exist already)."""
    if FeedbackCard.objects.exists() or not Ticket.objects.exists():
        return {"cards": 0, "compensations": 0}
    rng = random.Random(2027)
    now = timezone.now()
    users = {u.username: u for u in get_user_model().objects.all()}
    stores = list(Store.objects.order_by("code"))
    # Every third card is signed, by a demo customer already on file (the demo adds no one new).
    signers = list(Customer.objects.exclude(phone=None).order_by("id")[:3])
    for i, (category, text) in enumerate(CARDS):
        signer = signers[i // 3] if i % 3 == 0 and i // 3 < len(signers) else None
        moment = now - datetime.timedelta(days=rng.randint(1, 85), hours=rng.randint(0, 8))
        with at(moment.replace(hour=rng.randint(10, 20))):
            services.submit_card(
                store=stores[i % len(stores)].code,
                category=category,
                text=text,
                name=signer.name if signer else "",
                phone=signer.phone if signer else "",
                gender=signer.gender if signer else None,
                consent=signer is not None,
            )
    given = _compensations(users, now)
    return {"cards": len(CARDS), "compensations": given}


def _compensations(users, now) -> int:
    complaints = [
        t
        for t in (
            Ticket.objects.filter(
                type="complaint", store__code=code, first_response_at__isnull=False
            )
            .select_related("store", "region")
            .order_by("-created_at")
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
        asked = min(ticket.first_response_at + datetime.timedelta(hours=2), now)
        with at(asked):
            item = services.request_compensation(
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
        if item.status == "requested" and decider and n < len(complaints) - 1:
            with at(min(asked + datetime.timedelta(hours=3), now)):  # the last one waits
                services.approve_compensation(actor=decider, compensation_id=item.pk, note="同意")
    return given
