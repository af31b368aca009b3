"""The customer portal's public API for the apps that add pages to it (feedback's survey and
card): the visitor's address, the submission rate limit, and the headers of a private page."""

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    if getattr(settings, "KEFU_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def over_rate_limit(request) -> bool:
    """A CAPTCHA-free limit: at most N submissions per address per hour."""
    key = f"portal-submit:{client_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > settings.KEFU_PORTAL_SUBMISSIONS_PER_HOUR


def private_page(response):
    # The tracking token is in the URL: never send it to another site in a Referer, never let it
    # be indexed. ("no-referrer" would also make the browser send `Origin: null` on the reply
    # form, which the CSRF check rightly refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response
