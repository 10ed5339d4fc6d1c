"""Purging sessions nobody can use any more (docs/security/sign-in.md, decision 0120).

A session is over when Django's expiry date has passed, or when the sign-in rules would end it
at its next request: idle longer than IDLE_TIMEOUT, older than ABSOLUTE_TIMEOUT, or signed in
without the times those rules need (accounts.middleware). Until its row is deleted it still
holds who was signed in and the session's half of a held upload's key, so over sessions are
deleted: when `corridor serve` starts, every hour while it runs, and by `corridor sessions
purge` (for cron).

Sessions are not records of anyone's work: the purge writes no audit entry, as signing out
deletes a session without one.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

from corridor.accounts.middleware import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT
from corridor.accounts.services import SESSION_LAST_SEEN, SESSION_SIGNED_IN_AT

CHUNK = 500


def _over(data: dict, now: float) -> bool:
    if SESSION_KEY not in data:
        return False  # a visitor's session (a language chosen): it ends with its expiry date
    signed_in_at = data.get(SESSION_SIGNED_IN_AT)
    last_seen = data.get(SESSION_LAST_SEEN)
    return (
        signed_in_at is None
        or last_seen is None
        or now - signed_in_at > ABSOLUTE_TIMEOUT.total_seconds()
        or now - last_seen > IDLE_TIMEOUT.total_seconds()
    )


def sessions_purge(*, now: dt.datetime | None = None) -> int:
    """Delete every session that is over; returns how many went."""
    now = now or timezone.now()
    gone, _ = Session.objects.filter(expire_date__lte=now).delete()
    stamp = now.timestamp()
    over = [
        session.pk
        for session in Session.objects.iterator(chunk_size=CHUNK)
        if _over(session.get_decoded(), stamp)
    ]
    for start in range(0, len(over), CHUNK):
        deleted, _ = Session.objects.filter(pk__in=over[start : start + CHUNK]).delete()
        gone += deleted
    return gone
