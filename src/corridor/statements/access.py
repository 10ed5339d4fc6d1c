"""Who may do what to statements (decision 0300). Registered with ``corridor.accounts.policy``
when Django starts (``StatementsConfig.ready``).

- the owners of a statement are the editors and organisation admins of its owning
  organisation: they write it, invite endorsers, publish it and alone see who endorsed
  anonymously (``view_protected``);
- the owning organisation's members read its drafts;
- a published statement is read by every member of the network (and by anyone on its public
  page, which shows only what the disclosure gate lets through);
- invitations and endorsements are the owners' only;
- asks and their responses are read as their statement is and written by its owners.
"""

from __future__ import annotations

from typing import Any

from corridor.accounts import policy


def is_owner(user: Any, statement: Any) -> bool:
    return statement.owner_id in policy.organisation_ids(user, policy.EDIT_ROLES)


def statement_rule(user: Any, action: str, statement: Any) -> bool:
    if statement.owner_id is None:
        return False
    if action in (policy.VIEW, policy.EXPORT):
        if statement.owner_id in policy.organisation_ids(user):
            return True
        return statement.status == "published" and policy.reads_situation(user)
    if action in (policy.ADD, policy.CHANGE, policy.DELETE, policy.VIEW_PROTECTED):
        return is_owner(user, statement)
    return False


def statement_part_rule(user: Any, action: str, part: Any) -> bool:
    """Invitations and endorsements: the statement's owners only."""
    if part.statement_id is None:
        return False
    if action in (policy.VIEW, policy.VIEW_PROTECTED, policy.ADD, policy.CHANGE, policy.DELETE):
        return is_owner(user, part.statement)
    return False


def version_rule(user: Any, action: str, version: Any) -> bool:
    """A version is read and written as its statement is; a published one is frozen (the
    services refuse to change it, whoever asks)."""
    return version.statement_id is not None and statement_rule(user, action, version.statement)


def version_part_rule(user: Any, action: str, part: Any) -> bool:
    """A version's texts and footnotes: as the version."""
    return part.version_id is not None and version_rule(user, action, part.version)


def ask_rule(user: Any, action: str, ask: Any) -> bool:
    """An ask is read as its statement is (public once published); its owners write it."""
    return ask.statement_id is not None and statement_rule(user, action, ask.statement)


def response_rule(user: Any, action: str, response: Any) -> bool:
    """A response: as its ask."""
    return response.ask_id is not None and ask_rule(user, action, response.ask)


def register() -> None:
    policy.register("statements.statement", statement_rule, editors_add=True)
    policy.register("statements.invitation", statement_part_rule)
    policy.register("statements.endorsement", statement_part_rule)
    policy.register("statements.statementversion", version_rule)
    policy.register("statements.statementtext", version_part_rule)
    policy.register("statements.footnote", version_part_rule)
    policy.register("statements.ask", ask_rule)
    policy.register("statements.askresponse", response_rule)
