"""Issue 10: every role × every API endpoint and every desk page, both directions.

1. Nothing outside the role's scope: another store's (region's, area's) ids answer 404 (or 403
   where the role has no business with the endpoint at all), for reads and for writes.
2. No customer contact data (full mobile, e-mail, address) in any answer, except the customers
   whose details are on file for the role AND only for roles with the ``customers.contact``
   right. Trainers and QA monitors see none; a store sees its own customers only.

The endpoints are enumerated from the OpenAPI document and the URL resolver, so a new one is
covered automatically; a path parameter or desk page this file does not know fails the test
(add it to KIND_OF_PARAM / DESK_KIND).

One demo-like fixture (the real demo loader, small) is built once per module inside a
transaction that is rolled back at the end, so the other tests never see it.
"""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kefu.aftersales.models import (
    FeeQuote,
    FieldVisit,
    OutletJob,
    PartRequest,
    ServiceOrder,
    WarrantyClaim,
)
from kefu.analytics.models import ExportJob
from kefu.customers.models import Customer, Purchase
from kefu.feedback.models import Compensation, FeedbackCard, FollowUp
from kefu.org.models import Staff
from kefu.org.roles import RIGHTS, Role
from kefu.org.services import token_for
from kefu.quality.models import QaReview
from kefu.tickets.models import Attachment, Ticket
from tests.desk_client import DeskClient

pytestmark = pytest.mark.django_db

# The demo's people, one per role (the technician works SH001 and the east region's jobs).
ROLE_USERS = [
    "admin",
    "cs_manager",
    "cs_agent",
    "coordinator",
    "staff_sh001",
    "manager_sh001",
    "staff_bj001",
    "manager_bj001",
    "region_east",
    "region_north",
    "tech_sh",
    "qa",
    "trainer",
]

# API path parameter → kind; "free" parameters are not scoped objects (a part of the catalogue,
# a macro or article the reader's own rules decide, a staff member for coaching pages).
KIND_OF_PARAM = {
    "ticket_id": "ticket",
    "customer_id": "customer",
    "purchase_id": "purchase",
    "attachment_id": "attachment",
    "order_id": "order",
    "visit_id": "visit",
    "request_id": "request",
    "quote_id": "quote",
    "job_id": "job",
    "claim_id": "claim",
    "followup_id": "followup",
    "card_id": "card",
    "compensation_id": "compensation",
    "serial": "serial",
    "part_id": "free",
    "macro_id": "free",
    "export_id": "export",
}
# desk URL name → the kind of its <pk> (pages without arguments need no entry).
DESK_KIND = {
    "desk:ticket": "ticket",
    "desk:ticket_panels": "ticket",
    "desk:ticket_timeline": "ticket",
    "desk:reply": "ticket",
    "desk:status": "ticket",
    "desk:assign": "ticket",
    "desk:escalate": "ticket",
    "desk:attach": "ticket",
    "desk:details": "ticket",
    "desk:presence": "ticket",
    "desk:purchase": "ticket",
    "desk:purchase_new": "ticket",
    "desk:attachment": "attachment",
    "desk:customer": "customer",
    "desk:customer_export": "customer",
    "desk:customer_erase": "customer",
    "desk:customer_form_of_address": "customer",
    "desk:customer_requirements": "customer",
    "desk:view_rename": "free",
    "desk:view_delete": "free",
    "sla:timetable": "ticket",
    "notifications:read": "free",
    "aftersales:ticket_panel": "ticket",
    "aftersales:create_order": "ticket",
    "aftersales:dispatch": "ticket",
    "aftersales:order_status": "order",
    "aftersales:visit": "visit",
    "aftersales:visit_reschedule": "visit",
    "aftersales:visit_cancel": "visit",
    "aftersales:visit_fees": "visit",
    "aftersales:part_request_receive": "request",
    "aftersales:outlet_job_assign": "job",
    "quality:check": "ticket",
    "quality:guide_step": "ticket",
    "quality:guide_root_cause": "ticket",
    "quality:guide_summary": "ticket",
    "quality:review": "ticket",
    "quality:review_detail": "review",
    "quality:person": "free",
    "feedback:followup": "followup",
    "feedback:followup_call": "followup",
    "feedback:card": "card",
    "feedback:card_handle": "card",
    "feedback:compensation_decide": "compensation",
    "feedback:compensation_request": "ticket",
    "knowledge:article": "free",
    "knowledge:article_edit": "free",
    "analytics:weekly_detail": "free",
    "analytics:weekly_workbook": "free",
    "analytics:export_download": "export",
    "channels:call": "free",
    "registers:person": "free",
}
# Desk pages not to request in this test: signing out ends the session.
DESK_SKIP = {"desk:logout"}


# --------------------------------------------------------------------------- the fixture


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from kefu.aftersales.models import Technician
    from kefu.org.models import Store
    from kefu.tickets import services
    from kefu.web.demo import load_demo

    with django_db_blocker.unblock():
        with transaction.atomic():
            load_demo(n_customers=18, n_tickets=60)
            # The technician works SH001 only (plus the jobs given to them).
            profile = Technician.objects.get(staff__user__username="tech_sh")
            profile.stores.set(Store.objects.filter(code="SH001"))
            profile.regions.clear()
            admin = get_user_model().objects.get(username="admin")
            for store in ("SH001", "BJ001"):
                ticket = Ticket.objects.filter(store__code=store).order_by("id").first()
                services.add_attachment(
                    actor=admin, ticket=ticket, name="photo.png", data=PNG, public=True
                )
            # A built export for two managers: each one's is theirs alone.
            for username in ("cs_manager", "manager_sh001"):
                job = ExportJob.objects.create(
                    requested_by=get_user_model().objects.get(username=username),
                    source="report",
                    title="工单明细",
                    status="done",
                    rows=0,
                )
                job.file.save("matrix.xlsx", ContentFile(b"PK\x05\x06" + bytes(18)))
            yield {"users": {u.username: u for u in get_user_model().objects.all()}}
            transaction.set_rollback(True)


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


# --------------------------------------------------------------------------- the rules, restated
# Independent of kefu.org.selectors / kefu.customers.selectors: what each role may see.

ROLE_OF = {
    "admin": Role.ADMIN,
    "cs_manager": Role.CS_MANAGER,
    "cs_agent": Role.CS_AGENT,
    "coordinator": Role.COORDINATOR,
    "staff_sh001": Role.STORE_STAFF,
    "manager_sh001": Role.STORE_MANAGER,
    "staff_bj001": Role.STORE_STAFF,
    "manager_bj001": Role.STORE_MANAGER,
    "region_east": Role.REGIONAL_MANAGER,
    "region_north": Role.REGIONAL_MANAGER,
    "tech_sh": Role.TECHNICIAN,
    "qa": Role.QA_MONITOR,
    "trainer": Role.TRAINER,
}
CONTACT_USERS = {u for u in ROLE_USERS if ROLE_OF[u] in RIGHTS["customers.contact"]}
VIEW_USERS = {u for u in ROLE_USERS if ROLE_OF[u] in RIGHTS["customers.view"]}
SCOPED = {Role.STORE_STAFF, Role.STORE_MANAGER, Role.REGIONAL_MANAGER, Role.TECHNICIAN}


def _staff(user) -> Staff:
    return Staff.objects.select_related("store", "region").get(user=user)


def job_tickets(user):
    return Ticket.objects.filter(
        Q(assignee=user) | Q(field_visits__technician=_staff(user))
    ).values("pk")


def store_q(user, store: str, ticket: str | None = None) -> Q:
    """Q over rows whose store is at lookup `store` (ticket at `ticket`): those in scope."""
    staff = _staff(user)
    if staff.role in (Role.STORE_STAFF, Role.STORE_MANAGER):
        return Q(**{f"{store}_id": staff.store_id})
    if staff.role == Role.REGIONAL_MANAGER:
        return Q(**{f"{store}__region_id": staff.region_id})
    if staff.role == Role.TECHNICIAN:
        profile = staff.technician
        q = Q(**{f"{store}__in": profile.stores.all()}) | Q(
            **{f"{store}__region__in": profile.regions.all()}
        )
        if ticket:
            q |= Q(**{f"{ticket}__in": job_tickets(user)})
        return q
    return Q()


# kind → (model, lookup to its store, lookup to its ticket)
KINDS = {
    "ticket": (Ticket, "store", "pk"),
    "purchase": (Purchase, "store", None),
    "attachment": (Attachment, "ticket__store", "ticket"),
    "order": (ServiceOrder, "ticket__store", "ticket"),
    "visit": (FieldVisit, "ticket__store", "ticket"),
    "request": (PartRequest, "ticket__store", "ticket"),
    "quote": (FeeQuote, "ticket__store", "ticket"),
    "job": (OutletJob, "ticket__store", "ticket"),
    "claim": (WarrantyClaim, "ticket__store", "ticket"),
    "followup": (FollowUp, "ticket__store", "ticket"),
    "card": (FeedbackCard, "store", "ticket"),
    "compensation": (Compensation, "ticket__store", "ticket"),
    "review": (QaReview, "store", "ticket"),
}


def customers_in_scope(user):
    staff = _staff(user)
    if user.username not in VIEW_USERS:
        return Customer.objects.none()
    if staff.role not in SCOPED:
        return Customer.objects.all()
    if staff.role == Role.TECHNICIAN:
        return Customer.objects.filter(
            tickets__in=Ticket.objects.filter(store_q(user, "store", "pk"))
        ).distinct()
    return Customer.objects.filter(
        store_q(user, "home_store")
        | store_q(user, "purchases__store")
        | store_q(user, "tickets__store")
    ).distinct()


def on_file_customers(user):
    """The customers whose contact data the user may read in full."""
    staff = _staff(user)
    if user.username not in CONTACT_USERS:
        return Customer.objects.none()
    if staff.role == Role.TECHNICIAN:
        return Customer.objects.filter(tickets__in=job_tickets(user)).distinct()
    if staff.role in SCOPED:
        return Customer.objects.filter(
            store_q(user, "home_store") | store_q(user, "purchases__store")
        ).distinct()
    return Customer.objects.all()


def pick(user, kind: str, *, inside: bool):
    """An id of `kind` inside (outside) the user's scope, or None when there is none."""
    if kind == "free":
        return None
    if kind == "export":  # the requester's own, nobody else's
        mine = Q(requested_by=user)
        rows = ExportJob.objects.filter(mine) if inside else ExportJob.objects.exclude(mine)
        row = rows.order_by("pk").first()
        return row and row.pk
    if kind == "customer":
        within = customers_in_scope(user).values("pk")
        rows = (
            Customer.objects.filter(pk__in=within)
            if inside
            else Customer.objects.exclude(pk__in=within)
        )
        row = rows.order_by("pk").first()
        return row and row.pk
    if kind == "serial":
        purchase = pick(user, "purchase", inside=inside)
        return purchase and Purchase.objects.get(pk=purchase).serial
    model, store, ticket = KINDS[kind]
    staff = _staff(user)
    if kind == "purchase":
        q = Q(customer__in=customers_in_scope(user)) & store_q(user, store)
        rows = model.objects.filter(q) if inside else model.objects.exclude(q)
        rows = rows.exclude(serial="") if rows.exclude(serial="").exists() else rows
    elif staff.role in SCOPED:
        q = store_q(user, store, ticket)
        rows = model.objects.filter(q) if inside else model.objects.exclude(q)
    else:
        rows = model.objects.all() if inside else model.objects.none()
    row = rows.order_by("pk").first()
    return row and row.pk


def forbidden_strings(user) -> dict[str, int]:
    """Full mobiles, e-mails and addresses of customers not on file for the user → customer."""
    allowed = set(on_file_customers(user).values_list("pk", flat=True))
    out = {}
    for c in Customer.objects.exclude(pk__in=allowed):
        for value in (c.phone, c.email, c.address):
            if value and len(value) >= 6:
                out[value] = c.pk
    return out


# --------------------------------------------------------------------------- the endpoints


def api_operations():
    from kefu.api.urls import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method in operations:
            yield method.upper(), path


def desk_pages():
    def walk(resolver, prefix, namespace):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(p, prefix + str(p.pattern), p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace:
                yield f"{namespace}:{p.name}", prefix + str(p.pattern)

    for name, route in walk(get_resolver(), "", None):
        if route.startswith("desk/") and name not in DESK_SKIP:
            yield name, "/" + route


PARAM = re.compile(r"\{(?:\w+:)?(\w+)\}")
DESK_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _fill_api(path, user, *, inside):
    kinds = [KIND_OF_PARAM.get(name, "UNLISTED:" + name) for name in PARAM.findall(path)]
    values = {}
    for name, kind in zip(PARAM.findall(path), kinds, strict=True):
        if kind.startswith("UNLISTED"):
            raise AssertionError(f"{path}: path parameter {name!r} is not in KIND_OF_PARAM")
        value = pick(user, kind, inside=inside) if kind != "free" else 1
        if value is None:
            return None, kinds
        values[name] = value
    return PARAM.sub(lambda m: str(values[m.group(1)]), path), kinds


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


def _leaks(text, forbidden):
    return sorted({f"customer {pk}" for value, pk in forbidden.items() if value in text})


def _clients(world, username):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(username)}")
    desk = DeskClient()  # a ticket page is read with its panels, as the browser shows it
    desk.force_login(world["users"][username])
    return api, desk


# --------------------------------------------------------------------------- the tests


def test_every_path_parameter_and_desk_page_is_listed():
    unknown = [
        (m, p, name)
        for m, p in api_operations()
        for name in PARAM.findall(p)
        if name not in KIND_OF_PARAM
    ]
    unknown += [
        (name, route)
        for name, route in desk_pages()
        if DESK_PARAM.search(route) and name not in DESK_KIND
    ]
    assert not unknown, f"add these to the scope matrix: {unknown}"


@pytest.mark.parametrize("username", ROLE_USERS)
def test_api_nothing_outside_scope_and_no_contact_data(world, username):
    user = world["users"][username]
    api, _desk = _clients(world, username)
    forbidden = forbidden_strings(user)
    problems = []
    for method, path in api_operations():
        if not PARAM.search(path):
            if method == "GET":
                r = api.get(path)
                leaks = _leaks(_text(r), forbidden)
                if r.status_code >= 500 or leaks:
                    problems.append((method, path, r.status_code, leaks))
            continue
        # outside: 404 (403: no business with the endpoint at all), for reads and writes
        url, kinds = _fill_api(path, user, inside=False)
        if url is not None and set(kinds) - {"free"}:
            with transaction.atomic():
                r = api.generic(method, url, "{}", content_type="application/json")
                transaction.set_rollback(True)
            ok = r.status_code in (403, 404) or (method != "GET" and r.status_code == 422)
            leaks = _leaks(_text(r), forbidden)
            if not ok or leaks:
                problems.append(("outside", method, url, r.status_code, leaks))
        # inside: reads carry no contact data the role may not see
        if method == "GET":
            url, _kinds = _fill_api(path, user, inside=True)
            if url is not None:
                r = api.get(url)
                leaks = _leaks(_text(r), forbidden)
                if r.status_code >= 500 or leaks:
                    problems.append(("inside", method, url, r.status_code, leaks))
    assert not problems, problems


@pytest.mark.parametrize("username", ROLE_USERS)
def test_desk_nothing_outside_scope_and_no_contact_data(world, username):
    user = world["users"][username]
    _api, desk = _clients(world, username)
    forbidden = forbidden_strings(user)
    problems = []
    for name, route in desk_pages():
        params = DESK_PARAM.findall(route)
        if not params:
            r = desk.get(route)
            leaks = _leaks(_text(r), forbidden)
            if r.status_code >= 500 or leaks:
                problems.append((name, route, r.status_code, leaks))
            continue
        kind = DESK_KIND[name]
        for inside in (False, True):
            value = pick(user, kind, inside=inside) if kind != "free" else 1
            if value is None or (kind == "free" and not inside):
                continue
            url = DESK_PARAM.sub(str(value), route)
            r = desk.get(url)
            leaks = _leaks(_text(r), forbidden)
            if not inside and r.status_code not in (403, 404, 405):
                problems.append(("outside GET", name, url, r.status_code, leaks))
            elif leaks or r.status_code >= 500:
                problems.append(
                    ("inside" if inside else "outside", name, url, r.status_code, leaks)
                )
            if not inside:
                with transaction.atomic():
                    r = desk.post(url, {})
                    transaction.set_rollback(True)
                if r.status_code not in (403, 404, 405):
                    problems.append(("outside POST", name, url, r.status_code))
    assert not problems, problems
