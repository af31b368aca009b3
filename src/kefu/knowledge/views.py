"""Desk pages of the knowledge base (/desk/knowledge/): search and read articles, write and
revise them, the macros list, and the ticket page's panel of suggested articles."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.errors import KefuError
from kefu.org.selectors import can
from kefu.tickets.models import Status
from kefu.web.ticket_page import staff_required

from . import selectors, services
from .models import ArticleStatus, Audience, Category, MacroScope
from .templating import PLACEHOLDERS


def _with_labels(macros):
    """The macros, each with the label of the status it sets (never the internal code)."""
    macros = list(macros)
    for m in macros:
        status = (m.actions or {}).get("status")
        m.status_label = Status(status).label if status in Status.values else ""
    return macros


def _needs(request, capability: str):
    if not can(request.user, capability):
        raise Http404(_("Not found, or outside your scope."))


def ticket_panel(request, ticket) -> dict:
    """Articles matching the ticket, for the agent to link or quote in a reply."""
    if not can(request.user, "knowledge.read"):
        return {"show": False}
    return {
        "articles": selectors.suggestions_for_ticket(request.user, ticket),
        "portal_base": request.build_absolute_uri("/help/"),
    }


@staff_required
def home(request):
    _needs(request, "knowledge.read")
    q = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    articles = selectors.articles_visible_to(request.user)
    if category:
        articles = articles.filter(category__code=category)
    return render(
        request,
        "knowledge/home.html",
        {
            "q": q,
            "category": category,
            "categories": Category.objects.all(),
            "articles": selectors.search_articles(articles, q, limit=50),
            "can_write": can(request.user, "knowledge.write"),
            "may_use_macros": can(request.user, "knowledge.macros"),
            "deflection": services.deflection_counts(),
        },
    )


@staff_required
def article(request, pk):
    _needs(request, "knowledge.read")
    found = selectors.get_article(request.user, pk)
    return render(
        request,
        "knowledge/article.html",
        {
            "article": found,
            "versions": found.versions.select_related("author__staff")[:20],
            "can_write": can(request.user, "knowledge.write"),
            "public_url": request.build_absolute_uri(reverse("portal:help_article", args=[pk]))
            if found.audience == Audience.PUBLIC and found.status == ArticleStatus.PUBLISHED
            else None,
        },
    )


def _form_context(form, **extra):
    return {
        "form": form,
        "categories": Category.objects.all(),
        "audiences": Audience.choices,
        "statuses": ArticleStatus.choices,
        **extra,
    }


@staff_required
def article_edit(request, pk=None):
    _needs(request, "knowledge.write")
    found = selectors.get_article(request.user, pk) if pk else None
    if request.method != "POST":
        form = (
            {
                "title": found.title,
                "body": found.body,
                "category": found.category.code,
                "audience": found.audience,
                "status": found.status,
            }
            if found
            else {"audience": Audience.INTERNAL, "status": ArticleStatus.DRAFT}
        )
        return render(request, "knowledge/edit.html", _form_context(form, article=found))
    form = request.POST
    try:
        if found:
            saved = services.revise_article(
                actor=request.user,
                article=found,
                title=form.get("title", ""),
                body=form.get("body", ""),
                audience=form.get("audience"),
                status=form.get("status"),
            )
        else:
            saved = services.create_article(
                actor=request.user,
                title=form.get("title", ""),
                body=form.get("body", ""),
                category=form.get("category", ""),
                audience=form.get("audience", Audience.INTERNAL),
                status=form.get("status", ArticleStatus.DRAFT),
            )
    except KefuError as exc:
        return render(
            request,
            "knowledge/edit.html",
            _form_context(form, article=found, error=exc.text()),
            status=exc.status,
        )
    messages.success(request, _("Article saved (version %(n)s).") % {"n": saved.version})
    return redirect("knowledge:article", pk=saved.pk)


@staff_required
def macros(request):
    _needs(request, "knowledge.macros")
    return render(
        request,
        "knowledge/macros.html",
        {
            "macros": _with_labels(selectors.macros_for(request.user).select_related("store")),
            "placeholders": PLACEHOLDERS,
            "scopes": MacroScope.choices
            if can(request.user, "knowledge.macros.share")
            else [(MacroScope.PERSONAL, MacroScope.PERSONAL.label)],
            "form": {},
        },
    )


@require_POST
@staff_required
def macro_new(request):
    _needs(request, "knowledge.macros")
    form = request.POST
    actions = {}
    if form.get("action_status"):
        actions["status"] = form["action_status"]
    tags = [
        t.strip() for t in form.get("action_tags", "").replace("，", ",").split(",") if t.strip()
    ]
    if tags:
        actions["tags"] = tags
    if form.get("action_timetable_days", "").isdigit():
        actions["timetable_days"] = int(form["action_timetable_days"])
    if form.get("action_assign_self"):
        actions["assign"] = "self"
    try:
        services.create_macro(
            actor=request.user,
            title=form.get("title", ""),
            body=form.get("body", ""),
            scope=form.get("scope", MacroScope.PERSONAL),
            actions=actions,
        )
    except KefuError as exc:
        return render(
            request,
            "knowledge/macros.html",
            {
                "macros": _with_labels(selectors.macros_for(request.user).select_related("store")),
                "placeholders": PLACEHOLDERS,
                "scopes": MacroScope.choices,
                "form": form,
                "error": exc.text(),
            },
            status=exc.status,
        )
    messages.success(request, _("Macro saved."))
    return redirect("knowledge:macros")
