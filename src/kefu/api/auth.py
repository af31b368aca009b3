"""API authentication: a bearer token from `kefu token`, or the desk's session (with CSRF)."""

from django.conf import settings
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from kefu.org.models import ApiToken
from kefu.org.selectors import staff_of, user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        key_id = ApiToken.parse(token)
        if key_id is None:
            return None
        user = user_for_token(key_id)
        if user is None or not user.is_active or staff_of(user) is None:
            return None
        request.user = user
        return user


class DeskSession(APIKeyCookie):
    """Session auth; CSRF is checked only when there is a session to protect, so a request with
    no credentials at all answers 401, not a CSRF 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        if not request.COOKIES.get(self.param_name):
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = request.user
        if key and user.is_authenticated and staff_of(user) is not None:
            return user
        return None
