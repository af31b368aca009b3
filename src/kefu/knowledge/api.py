"""Knowledge-base and macro endpoints: /api/v1/knowledge/… and /api/v1/macros."""

from datetime import datetime
from typing import Literal

from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja import Status as WithStatus

from kefu.api.schema import ERRORS, Strict
from kefu.errors import InvalidInput
from kefu.org.selectors import stores_for
from kefu.tickets import selectors as ticket_selectors

from . import selectors, services
from .models import ArticleStatus, Audience, MacroScope
from .templating import PLACEHOLDERS

API_PREFIX = ""
API_TAGS = ["knowledge"]
router = Router()


class ArticleOut(Schema):
    id: int
    title: str
    category: str
    category_name: str
    audience: str
    status: str
    version: int
    body: str
    snippet: str = Field(description="an excerpt with the matched words in <mark>, HTML-escaped")
    score: int = 0
    updated_at: datetime
    url: str


class ArticleList(Schema):
    items: list[ArticleOut]
    count: int


class ArticleIn(Strict):
    title: str = Field(max_length=120)
    body: str = Field(max_length=20000)
    category: str = Field(max_length=40, description="a category code, e.g. sanbao")
    audience: Literal[tuple(Audience.values)] = "internal"  # type: ignore[valid-type]
    status: Literal[tuple(ArticleStatus.values)] = "draft"  # type: ignore[valid-type]
    store: str | None = Field(None, max_length=20, description="a store's code: a store policy")


def article_out(article, url) -> dict:
    return {
        "id": article.id,
        "title": article.title,
        "category": article.category.code,
        "category_name": article.category.name,
        "audience": article.audience,
        "status": article.status,
        "version": article.version,
        "body": article.body,
        "snippet": str(getattr(article, "snippet", "")),
        "score": getattr(article, "hits", 0),
        "updated_at": article.updated_at,
        "url": url,
    }


@router.get(
    "/knowledge/articles",
    response={200: ArticleList, **ERRORS},
    summary="Search the articles you may read",
)
def list_articles(request, q: str = Query("", max_length=100), limit: int = Query(20, ge=1, le=50)):
    found = selectors.search_articles(selectors.articles_visible_to(request.auth), q, limit=limit)
    items = [article_out(a, f"/desk/knowledge/articles/{a.id}/") for a in found]
    return {"items": items, "count": len(items)}


@router.get(
    "/knowledge/public",
    response={200: ArticleList, **ERRORS},
    auth=None,
    summary="Search the public help articles (no sign-in)",
)
def public_articles(
    request, q: str = Query("", max_length=100), limit: int = Query(10, ge=1, le=50)
):
    found = selectors.search_articles(selectors.public_articles(), q, limit=limit)
    items = [article_out(a, f"/help/{a.id}/") for a in found]
    return {"items": items, "count": len(items)}


@router.post(
    "/knowledge/articles", response={201: ArticleOut, **ERRORS}, summary="Write an article"
)
def create_article(request, payload: ArticleIn):
    store = None
    if payload.store:
        store = stores_for(request.auth).filter(code=payload.store).first()
        if store is None:
            raise InvalidInput(_("That store is outside your scope."), field="store")
    article = services.create_article(
        actor=request.auth,
        title=payload.title,
        body=payload.body,
        category=payload.category,
        audience=payload.audience,
        status=payload.status,
        store=store,
    )
    return WithStatus(201, article_out(article, f"/desk/knowledge/articles/{article.id}/"))


class MacroOut(Schema):
    id: int
    title: str
    body: str
    scope: str
    actions: dict
    usage_count: int


class MacroList(Schema):
    items: list[MacroOut]
    placeholders: dict[str, str]


class MacroIn(Strict):
    title: str = Field(max_length=80)
    body: str = Field(max_length=5000)
    scope: Literal[tuple(MacroScope.values)] = "personal"  # type: ignore[valid-type]
    actions: dict = Field(default_factory=dict)


class RenderIn(Strict):
    ticket_id: int


class RenderOut(Schema):
    body: str
    actions: dict


def macro_out(m) -> dict:
    return {
        "id": m.id,
        "title": m.title,
        "body": m.body,
        "scope": m.scope,
        "actions": m.actions,
        "usage_count": m.usage_count,
    }


@router.get("/macros", response={200: MacroList, **ERRORS}, summary="The macros you may use")
def list_macros(request):
    return {
        "items": [macro_out(m) for m in selectors.macros_for(request.auth)[:200]],
        "placeholders": PLACEHOLDERS,
    }


@router.post("/macros", response={201: MacroOut, **ERRORS}, summary="Save a macro")
def create_macro(request, payload: MacroIn):
    macro = services.create_macro(
        actor=request.auth,
        title=payload.title,
        body=payload.body,
        scope=payload.scope,
        actions=payload.actions,
    )
    return WithStatus(201, macro_out(macro))


@router.post(
    "/macros/{int:macro_id}/render",
    response={200: RenderOut, **ERRORS},
    summary="A macro's text for a ticket (nothing sent, nothing changed)",
)
def render_macro(request, macro_id: int, payload: RenderIn):
    macro = selectors.get_macro(request.auth, macro_id)
    ticket = ticket_selectors.get_ticket(request.auth, payload.ticket_id)
    return {
        "body": services.render_for_ticket(actor=request.auth, macro=macro, ticket=ticket),
        "actions": macro.actions,
    }
