"""The customer's help pages (/help/): public articles, searched before a request is
submitted. Reading is counted per visitor; a reader who never submits is a deflection."""

from django.shortcuts import render

from kefu.errors import NotFound

from . import selectors, services


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def help_home(request):
    q = request.GET.get("q", "").strip()[:100]
    if q:
        services.record_help_read(_session_key(request))
    return render(
        request,
        "knowledge/portal_help.html",
        {"q": q, "articles": selectors.search_articles(selectors.public_articles(), q, limit=20)},
    )


def help_suggest(request):
    """The portal form's live suggestions (htmx fragment) while the customer types."""
    q = request.GET.get("subject", "") + " " + request.GET.get("description", "")[:300]
    articles = (
        selectors.search_articles(selectors.public_articles(), q, limit=4, any_token=True)
        if q.strip()
        else []
    )
    return render(request, "knowledge/_portal_suggestions.html", {"articles": articles})


def help_article(request, pk):
    try:
        article = selectors.get_public_article(pk)
    except NotFound:
        return render(request, "portal/not_found.html", status=404)
    services.record_help_read(_session_key(request), article)
    related = [
        a for a in selectors.public_articles().filter(category=article.category).exclude(pk=pk)[:5]
    ]
    return render(
        request, "knowledge/portal_article.html", {"article": article, "related": related}
    )
