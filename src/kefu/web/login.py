"""The answer to a locked-out sign-in (django-axes calls `locked_out`): the same login form, with
a clear message in the user's language and HTTP 429 — never a redirect into the desk."""

import math

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message() -> str:
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return _(
        "Too many failed sign-ins: this account or your network address is locked for "
        "%(minutes)s minutes. Try again later, or ask an administrator to unlock it."
    ) % {"minutes": minutes}


def locked_out(request, response=None, credentials=None):
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username[:150]})
    context = {"form": form, "lockout": lockout_message(), "locked_username": username[:150]}
    if request.path.startswith("/admin/"):
        template = "admin/kefu_locked_out.html"
        context.update(
            admin.site.each_context(request),
            title=_("Log in"),
            app_path=request.get_full_path(),
            username=request.user.get_username(),
        )
    else:
        template = "desk/login.html"
        context["next"] = request.POST.get("next", "")
    answer = render(request, template, context, status=429)
    answer["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    answer["Cache-Control"] = "no-store"
    return answer
