"""Reads of the knowledge base and the macros, always scoped to the reader."""

import re

from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import mark_safe

from kefu import search
from kefu.errors import NotFound
from kefu.org.selectors import can, scope_filter, staff_of

from .models import Article, ArticleStatus, Audience, Macro, MacroScope

FTS_TABLE = "knowledge_article_fts"


def articles_visible_to(user) -> QuerySet:
    """Articles a member of staff may read: chain-wide ones, and store policies of stores in
    their scope. Drafts only for those who write articles."""
    if user is None or not can(user, "knowledge.read"):
        return Article.objects.none()
    condition = scope_filter(user, region_field=None)
    if condition is None:
        return Article.objects.none()
    articles = Article.objects.select_related("category")
    if condition:  # an empty Q() is everything; OR-ing it would drop it
        articles = articles.filter(Q(store__isnull=True) | condition)
    if not can(user, "knowledge.write"):
        articles = articles.filter(status=ArticleStatus.PUBLISHED)
    return articles


def public_articles() -> QuerySet:
    """What a customer may read on the portal: published, public, chain-wide."""
    return Article.objects.filter(
        status=ArticleStatus.PUBLISHED, audience=Audience.PUBLIC, store__isnull=True
    ).select_related("category")


def get_article(user, pk) -> Article:
    article = articles_visible_to(user).filter(pk=pk).first()
    if article is None:
        raise NotFound()
    return article


def get_public_article(pk) -> Article:
    article = public_articles().filter(pk=pk).first()
    if article is None:
        raise NotFound()
    return article


def search_articles(articles: QuerySet, q: str, *, limit: int = 20, any_token: bool = False):
    """Articles matching ``q``, best first, each with ``hits`` (a score) and ``snippet`` and
    ``title_html`` (escaped text with the matched words in <mark>).

    Every query token must match (the full-text index); ``any_token`` instead keeps articles
    matching any token of the longest ones, for suggestions from a whole ticket's text."""
    tokens = search.query_tokens(q)
    if not tokens:
        return [_decorate(a, []) for a in articles.order_by("category__position", "title")[:limit]]
    if any_token:
        # The longest words say most about a ticket: any of them through the index, one query.
        words = sorted({t for t in tokens if len(t) >= 2}, key=len, reverse=True)[:8]
        if not words:
            return []
        found = list(
            search.fts_filter(articles, "", fts_table=FTS_TABLE, tokens=words, any_token=True)[:100]
        )
        tokens = words
    else:
        found = list(search.fts_filter(articles, q, fts_table=FTS_TABLE)[:200])
        if not found and len(tokens) > 1:
            # 折旧费怎么算: no article has every word; the ones with the telling words still help.
            return search_articles(articles, q, limit=limit, any_token=True)
    ranked = [_decorate(a, tokens) for a in found]
    ranked = [a for a in ranked if a.hits > 0 or not any_token]
    ranked.sort(key=lambda a: (-a.hits, a.title))
    return ranked[:limit]


def _decorate(article: Article, tokens: list[str]) -> Article:
    title, body = article.title.lower(), article.body.lower()
    # A word in the title counts three times as much as one in the body.
    article.hits = sum(3 * title.count(t) + min(body.count(t), 5) for t in tokens)
    article.title_html = highlight(article.title, tokens)
    article.snippet = highlight(_excerpt(article.body, tokens), tokens)
    return article


def _excerpt(text: str, tokens: list[str], width: int = 90) -> str:
    lowered = text.lower()
    positions = [lowered.find(t) for t in tokens if lowered.find(t) >= 0]
    start = max(0, min(positions) - 20) if positions else 0
    excerpt = text[start : start + width].replace("\n", " ")
    return ("…" if start else "") + excerpt + ("…" if start + width < len(text) else "")


def highlight(text: str, tokens: list[str]):
    """Escaped ``text`` with each token wrapped in <mark> (safe to render)."""
    if not tokens:
        return escape(text)
    pattern = re.compile(
        "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True)), re.I
    )
    parts, last = [], 0
    for m in pattern.finditer(text):
        parts.append(escape(text[last : m.start()]))
        parts.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def suggestions_for_ticket(user, ticket, *, limit: int = 4):
    """Published articles that match the ticket's subject and description."""
    articles = articles_visible_to(user).filter(status=ArticleStatus.PUBLISHED)
    return search_articles(
        articles, f"{ticket.subject} {ticket.description[:300]}", limit=limit, any_token=True
    )


def macros_for(user) -> QuerySet:
    """The macros a user may use: their own, their store's, and the chain-wide ones."""
    if user is None or not can(user, "knowledge.macros"):
        return Macro.objects.none()
    staff = staff_of(user)
    mine = Q(scope=MacroScope.PERSONAL, owner=user) | Q(scope=MacroScope.CHAIN)
    if staff is not None and staff.store_id:
        mine |= Q(scope=MacroScope.STORE, store_id=staff.store_id)
    elif staff is not None and staff.scope != "store":
        # Regional and chain-wide people see the store macros of the stores in their scope.
        condition = scope_filter(user, region_field=None)
        if condition is not None:
            mine |= Q(scope=MacroScope.STORE) & condition
    return Macro.objects.filter(mine, is_active=True).order_by("-usage_count", "title")


def get_macro(user, pk) -> Macro:
    macro = macros_for(user).filter(pk=pk).first()
    if macro is None:
        raise NotFound()
    return macro
