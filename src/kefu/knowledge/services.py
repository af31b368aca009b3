"""Writes of the knowledge base and the macros. Each is one transaction; macro actions go
through the ticket kernel's services, so they run the same checks and leave the same events."""

import datetime
import hashlib

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu import clean, search
from kefu.errors import Forbidden, InvalidInput
from kefu.org.selectors import can, staff_of, store_in_scope
from kefu.tickets import services as ticket_services
from kefu.tickets.models import Status

from .models import (
    Article,
    ArticleStatus,
    ArticleVersion,
    Audience,
    Category,
    HelpVisit,
    Macro,
    MacroScope,
)
from .selectors import get_macro
from .templating import compile_macro, render_macro

# ----------------------------------------------------------------------------- articles


def _require(user, capability):
    if user is None or not can(user, capability):
        raise Forbidden(_("Your role may not do this."))


def _index(article: Article) -> None:
    # The title twice: a word in the title should outrank the same word deep in a body.
    article.search_text = search.segment(article.title, article.title, article.body)


@transaction.atomic
def create_article(
    *,
    actor,
    title,
    body,
    category,
    audience=Audience.INTERNAL,
    status=ArticleStatus.DRAFT,
    store=None,
) -> Article:
    """Write a new article (version 1, authored by ``actor``)."""
    _require(actor, "knowledge.write")
    title = clean.text(title, "title", max_length=120)
    body = clean.text(body, "body", max_length=20000)
    audience = clean.choice(audience, Audience, "audience")
    status = clean.choice(status, ArticleStatus, "status")
    found = Category.objects.filter(code=category).first()
    if found is None:
        raise InvalidInput(_("Unknown article category."), field="category")
    if store is not None and not store_in_scope(actor, store):
        raise InvalidInput(_("That store is outside your scope."), field="store")
    article = Article(
        category=found, title=title, body=body, audience=audience, status=status, store=store
    )
    _index(article)
    article.save()
    ArticleVersion.objects.create(article=article, number=1, title=title, body=body, author=actor)
    return article


@transaction.atomic
def revise_article(*, actor, article: Article, title, body, audience=None, status=None) -> Article:
    """Save a new version of an article; the old text stays in its versions."""
    _require(actor, "knowledge.write")
    locked = Article.objects.select_for_update().get(pk=article.pk)
    locked.title = clean.text(title, "title", max_length=120)
    locked.body = clean.text(body, "body", max_length=20000)
    if audience:
        locked.audience = clean.choice(audience, Audience, "audience")
    if status:
        locked.status = clean.choice(status, ArticleStatus, "status")
    locked.version += 1
    _index(locked)
    locked.save()
    ArticleVersion.objects.create(
        article=locked, number=locked.version, title=locked.title, body=locked.body, author=actor
    )
    return locked


# ----------------------------------------------------------------------------- portal help


def _visit_key(session_key: str) -> str:
    # The session key itself is a credential: keep only a hash of it.
    return hashlib.sha256(session_key.encode()).hexdigest()


def record_help_read(session_key: str, article: Article | None = None) -> None:
    """A portal visitor searched the help (article None) or read an article."""
    visit, _created = HelpVisit.objects.get_or_create(session_hash=_visit_key(session_key))
    if article is None:
        HelpVisit.objects.filter(pk=visit.pk).update(searches=F("searches") + 1)
        return
    HelpVisit.objects.filter(pk=visit.pk).update(articles_read=F("articles_read") + 1)
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)


def record_submission(session_key: str | None) -> None:
    """The visitor submitted a request after all: their reading was not a deflection."""
    if session_key:
        HelpVisit.objects.filter(session_hash=_visit_key(session_key)).update(submitted=True)


def deflection_counts(since=None) -> dict:
    """Visitors who read help articles, and how many of them left without submitting."""
    visits = HelpVisit.objects.filter(articles_read__gt=0)
    if since is not None:
        visits = visits.filter(created_at__gte=since)
    readers = visits.count()
    deflected = visits.filter(submitted=False).count()
    return {"readers": readers, "deflections": deflected}


# ----------------------------------------------------------------------------- macros

MACRO_ACTION_KEYS = {"status", "tags", "assign", "timetable_days"}

# Actions owned by apps this one may not import (same layer): the composition layer registers
# them. "timetable": function(actor, ticket, promised_at) sets the solution timetable (sla).
ACTION_HANDLERS: dict = {}


def promise_time(days: int, now=None):
    """The solution time a macro promises: ``days`` calendar days ahead, at 18:00 local time."""
    local = timezone.localtime(now)
    day = local.date() + datetime.timedelta(days=days)
    return local.replace(
        year=day.year, month=day.month, day=day.day, hour=18, minute=0, second=0, microsecond=0
    )


def _clean_actions(actions) -> dict:
    actions = dict(actions or {})
    unknown = set(actions) - MACRO_ACTION_KEYS
    if unknown:
        raise InvalidInput(
            _("Unknown macro action: %(name)s"), field="actions", name="、".join(sorted(unknown))
        )
    if actions.get("status"):
        clean.choice(actions["status"], Status, "actions.status")
    days = actions.get("timetable_days")
    if days is not None and (not isinstance(days, int) or not 1 <= days <= 30):
        raise InvalidInput(
            _("%(field)s: a whole number of days from 1 to 30."), field="actions.timetable_days"
        )
    tags = actions.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise InvalidInput(_("Tags must be a list of words."), field="actions.tags")
    return actions


@transaction.atomic
def create_macro(*, actor, title, body, scope=MacroScope.PERSONAL, actions=None) -> Macro:
    """Save a canned reply. Personal macros are anyone's; store and chain-wide ones need
    ``knowledge.macros.share`` (a store macro belongs to the author's store)."""
    _require(actor, "knowledge.macros")
    title = clean.text(title, "title", max_length=80)
    body = clean.text(body, "body", max_length=5000)
    scope = clean.choice(scope, MacroScope, "scope")
    compile_macro(body)
    actions = _clean_actions(actions)
    store = None
    if scope != MacroScope.PERSONAL:
        _require(actor, "knowledge.macros.share")
    if scope == MacroScope.STORE:
        staff = staff_of(actor)
        if staff is None or staff.store_id is None:
            raise InvalidInput(
                _("Only people of a store can share a macro with it."), field="scope"
            )
        store = staff.store
    return Macro.objects.create(
        title=title,
        body=body,
        scope=scope,
        owner=actor,
        store=store,
        actions=actions,
    )


def _promise_of(macro: Macro, ticket):
    """The time the macro will promise, when it sets a timetable and none is promised yet."""
    days = (macro.actions or {}).get("timetable_days")
    # A resolved or closed ticket promises nothing more (the sla app would refuse it).
    done = ticket.status in (Status.RESOLVED, Status.CLOSED)
    if days and ticket.solution_promised_at is None and not done:
        return promise_time(days)
    return None


def placeholder_values(actor, ticket, *, promised=None) -> dict:
    """The only values a macro can see: plain strings about this ticket, its customer, its
    store and the agent. ``promised`` is the time the macro itself is about to promise."""
    staff = staff_of(actor)
    customer = ticket.customer
    promised = promised or ticket.solution_promised_at
    return {
        "customer": {
            "name": customer.name,
            "honorific": customer.honorific,
            "greeting": customer.greeting,
        },
        "ticket": {
            "number": ticket.number,
            "subject": ticket.subject,
            "status": str(Status(ticket.status).label),
        },
        "sla": {
            "solution_promised_at": timezone.localtime(promised).strftime("%Y年%m月%d日 %H:%M")
            if promised
            else "约定的时间",
        },
        "agent": {"name": staff.display_name if staff else actor.get_username()},
        "store": {"name": ticket.store.name, "phone": ticket.store.phone or "门店电话"},
    }


def render_for_ticket(*, actor, macro: Macro, ticket) -> str:
    """The macro's text for this ticket: nothing is sent, nothing changes."""
    values = placeholder_values(actor, ticket, promised=_promise_of(macro, ticket))
    return render_macro(macro.body, values)


def prepare_reply(actor, ticket, macro_id: int, body: str):
    """For a reply that applies macro ``macro_id``: the body to send (the rendered macro when
    ``body`` is blank, else what the agent edited) and a function that applies the macro's
    actions and counts its use once the reply is written (same transaction)."""
    macro = get_macro(actor, macro_id)
    if not (body or "").strip():
        body = render_for_ticket(actor=actor, macro=macro, ticket=ticket)

    def after(event):
        apply_actions(actor=actor, macro=macro, ticket=ticket)

    return body, after


def apply_actions(*, actor, macro: Macro, ticket) -> None:
    """Run the macro's actions through the kernel services and count one use."""
    actions = macro.actions or {}
    promised = _promise_of(macro, ticket)
    if promised is not None and "timetable" in ACTION_HANDLERS:
        ACTION_HANDLERS["timetable"](actor, ticket, promised)
        ticket.refresh_from_db(fields=["version", "solution_promised_at"])
    if actions.get("tags"):
        current = [t.name for t in ticket.tags.all()]
        wanted = list(dict.fromkeys(current + list(actions["tags"])))
        if wanted != current:
            ticket_services.update_details(actor=actor, ticket=ticket, tags=wanted)
    assignee = actions.get("assign")
    if assignee == "self":
        assignee = actor.get_username()
    if assignee:
        ticket.refresh_from_db(fields=["assignee", "status", "version"])
        if ticket.assignee_id is None or ticket.assignee.get_username() != assignee:
            ticket_services.assign(actor=actor, ticket=ticket, assignee=assignee)
    status = actions.get("status")
    if status:
        ticket.refresh_from_db(fields=["status", "version"])
        if ticket.status != status:
            ticket_services.change_status(actor=actor, ticket=ticket, status=status)
    Macro.objects.filter(pk=macro.pk).update(usage_count=F("usage_count") + 1)
