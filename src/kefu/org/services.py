"""Writes of org objects: API tokens."""

from django.contrib.auth import get_user_model

from .models import ApiToken
from .selectors import staff_of


def token_for(username: str) -> str:
    """The user's API token, created on first use (one per user, name "default")."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None or staff_of(user) is None:
        raise LookupError(f"kefu: no staff user called {username!r}")
    row = ApiToken.objects.filter(user=user, name="default").first()
    if row is None:
        row = ApiToken.objects.create(user=user, name="default", key_id=ApiToken.new_key_id())
    return row.token
