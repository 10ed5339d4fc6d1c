"""Who may do what to the sync state: administrators only (decision 0275).

An instance's keys, its peers and the bundles it exchanged decide what leaves the instance and
what is written into it, so only the network's administrators (and the operator at the
instance's own command line, ``by`` None in the services) manage them. Admins are decided
before a rule is asked (``policy.can``), so each rule refuses everyone else.

What a *peer* may receive is a different question, answered by ``peer_may_receive`` in
``corridor.sync.records``: the policy's member rules, applied to the organisations the peer
is registered for.
"""

from __future__ import annotations

from typing import Any

from corridor.accounts import policy

LABELS = ("sync.identity", "sync.peer", "sync.version", "sync.bundle", "sync.conflict")


def admins_only(user: Any, action: str, obj: Any) -> bool:
    return False


def register() -> None:
    for label in LABELS:
        policy.register(label, admins_only)
