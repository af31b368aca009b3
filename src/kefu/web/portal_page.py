"""The customer portal's public API for the apps that add pages to it (feedback's survey and
card): the visitor's address, the submission rate limit, and the headers of a private page."""

import ipaddress

from django.conf import settings
from django.core.cache import cache


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The visitor's IP address, or None when there is no valid one (a forged forwarded entry
    that is not an address falls back to the connection's). Login throttling stores it in an
    inet column on PostgreSQL, which refuses anything else."""
    hops = settings.KEFU_TRUSTED_PROXIES
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops and (ip := _valid_ip(forwarded[-hops][:64])):
            return ip
    return _valid_ip(request.META.get("REMOTE_ADDR") or "")


def client_address(request) -> str:
    """The visitor's address. Behind KEFU_TRUSTED_PROXIES reverse proxies (nginx: 1) it is the
    entry that many hops from the right of X-Forwarded-For — each proxy appends the address it
    saw, so entries further left are whatever the client chose to send and are never trusted.
    With no trusted proxy (the default) the forwarded header is ignored: anyone can forge it."""
    return client_ip(request) or "unknown"


def over_rate_limit(request, bucket: str = "portal-submit", per_hour: int | None = None) -> bool:
    """A CAPTCHA-free limit: at most N submissions per address per hour, counted per bucket
    (new requests; messages on tracking pages)."""
    if per_hour is None:
        per_hour = settings.KEFU_PORTAL_SUBMISSIONS_PER_HOUR
    key = f"{bucket}:{client_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > per_hour


def private_page(response):
    # The tracking token is in the URL: never send it to another site in a Referer, never let it
    # be indexed. ("no-referrer" would also make the browser send `Origin: null` on the reply
    # form, which the CSRF check rightly refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response
