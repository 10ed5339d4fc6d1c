"""The session engine (``SESSION_ENGINE``): Django's database sessions, with the session read
that every request makes done by a fixed statement (decision 0388). Writing, expiry and
purging are Django's own (and accounts/sessions.py's)."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from corridor.core.fixed_reads import row_where

_LIVE = (("session_key", "="), ("expire_date", ">"))


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        session = row_where(Session, _LIVE, (self.session_key, timezone.now()))
        if session is None:
            self._session_key = None  # as Django's: an unknown or expired key is not kept
        return session
