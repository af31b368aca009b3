"""Sessions in the database (the embedded default; with REDIS_URL they live in the cache):
Django's own store, with the session read by a statement compiled once per process.

Every desk request loads its session, and every open ticket page posts its presence beat every
few seconds: Django's store compiled the same `SELECT … WHERE session_key = … AND expire_date >
now` on each of them (issue 14). Here the row is read by its key alone (`kefu.rows.prepared`)
and its expiry compared in Python: the same sessions are accepted and refused."""

from django.contrib.sessions.backends import db
from django.utils import timezone

from kefu import rows


@rows.prepared
def _by_key(session_key: str):
    return db.SessionStore.get_model_class().objects.filter(session_key=session_key)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        key = self.session_key  # None for a missing or malformed cookie
        found = _by_key.first(key) if isinstance(key, str) else None
        if found is not None and found.expire_date > timezone.now():
            return found
        self._session_key = None
        return None
