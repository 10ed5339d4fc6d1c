"""Statement pages (docs/statements.md): the owners' pages (signed in), the invitation page
(anyone with the link, no account) and the public page and its exports (no sign-in)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from corridor.accounts import policy
from corridor.core.errors import CorridorError
from corridor.disclosure import shared_output
from corridor.orgs.queries import organisations_visible_to
from corridor.situation.queries import sources_visible_to
from corridor.statements import services
from corridor.statements.markdown import to_html
from corridor.statements.models import (
    EndorserKind,
    ListedAs,
    ResponseStatus,
    Statement,
    TargetKind,
)
from corridor.statements.publication import (
    CONTENT_TYPES,
    public_statement,
)
from corridor.statements.publication import (
    render as render_document,
)
from corridor.statements.queries import (
    asks_public,
    asks_visible_to,
    endorsements_for_owners,
    invitation_by_secret,
    invitations_for_owners,
    response_history,
    response_of,
    statement_public,
    statement_visible,
    statements_visible_to,
    unpublished_changes,
)
from corridor.statements.tracker import parse_since, tracker
from corridor.web.views.common import require_or_403, uuid_or_none

SESSION_NEW_LINK = "statements.new_link"


def _statement(request: HttpRequest, pk: Any) -> Statement:
    found = statement_visible(request.user, pk)
    if found is None:
        raise Http404
    return found


@login_required
@require_http_methods(["GET", "POST"])
def statements_page(request: HttpRequest) -> HttpResponse:
    """The statements the person may read; a new draft for their organisation's editors."""
    if request.method == "POST":
        try:
            chosen = uuid_or_none(request.POST.get("owner"))
            owner = (
                organisations_visible_to(request.user).filter(pk=chosen).first()
                if chosen is not None
                else None
            )
            statement = services.statement_create_draft(
                by=request.user,
                owner=owner,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                language=request.POST.get("language", "en"),
                group_order=request.POST.get("group_order", ""),
            )
        except CorridorError as exc:
            messages.error(request, str(exc))
            return redirect("web:statements")
        return redirect("web:statement", pk=statement.pk)
    editable = organisations_visible_to(request.user).filter(
        pk__in=policy.organisation_ids(request.user, policy.EDIT_ROLES)
    )
    rows = [(s, services.current_version(s)) for s in statements_visible_to(request.user)]
    return render(
        request,
        "web/statements.html",
        {"rows": rows, "owners": list(editable)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def statement_page(request: HttpRequest, pk: Any) -> HttpResponse:
    statement = _statement(request, pk)
    owner = policy.can(request.user, policy.VIEW_PROTECTED, statement)
    if request.method == "POST":
        require_or_403(request.user, policy.CHANGE, statement)
        what = request.POST.get("what", "")
        try:
            _act(request, statement, what)
        except CorridorError as exc:
            messages.error(request, str(exc))
        return redirect("web:statement", pk=statement.pk)
    version = services.current_version(statement)
    context: dict[str, Any] = {
        "statement": statement,
        "version": version,
        "texts": list(version.texts.all()),
        "footnotes": list(version.footnotes.select_related("source")),
        "owner": owner,
        "public_url": reverse("web:statement_public", args=[statement.pk]),
        "published": statement.versions.filter(published_at__isnull=False).exists(),
        "asks": list(
            asks_visible_to(request.user)
            .filter(statement=statement)
            .prefetch_related("responses__source")
        ),
        "asks_url": reverse("web:statement_asks", args=[statement.pk]),
    }
    if owner:
        context["endorsements"] = endorsements_for_owners(request.user, statement)
        context["unpublished"] = unpublished_changes(statement, context["endorsements"])
        context["invitations"] = list(invitations_for_owners(request.user, statement))
        context["sources"] = list(sources_visible_to(request.user)[:200])
        context["kinds"] = EndorserKind.choices
        context["link"] = request.session.pop(SESSION_NEW_LINK, "")
        context["target_kinds"] = TargetKind.choices
        context["response_statuses"] = ResponseStatus.choices
        listed = {s.pk for s in context["sources"]}
        for ask in context["asks"]:
            for response in ask.responses.all():  # the prefetched rows the page lists
                response.corrections = response_history(request.user, response)
                # A correction form offers the source the response cites, even past the 200.
                if response.source is not None and response.source_id not in listed:
                    listed.add(response.source_id)
                    context["sources"].append(response.source)
    return render(request, "web/statement.html", context)


def _act(request: HttpRequest, statement: Statement, what: str) -> None:
    post = request.POST
    by = request.user
    if what == "text":
        services.statement_text_set(
            by=by, statement=statement, language=post.get("language", ""),
            title=post.get("title", ""), body=post.get("body", ""),
        )  # fmt: skip
        messages.success(request, _("The text is saved."))
    elif what == "footnotes":
        wanted = [x for x in post.getlist("source") if x]
        chosen = {str(s.pk): s for s in sources_visible_to(by).filter(pk__in=wanted)}
        items = []
        for source_id, detail in zip(post.getlist("source"), post.getlist("detail"), strict=False):
            if source_id:
                source = chosen.get(source_id)
                if source is None:
                    raise CorridorError(_("A chosen source is not one you may cite."))
                items.append((source, detail))
        services.statement_footnotes_set(by=by, statement=statement, footnotes=items)
        messages.success(request, _("The footnotes are saved."))
    elif what == "invite":
        _invitation, secret = services.invitation_create(
            by=by, statement=statement, invitee=post.get("invitee", ""),
            kind=post.get("kind", EndorserKind.ORGANISATION), group=post.get("group", ""),
        )  # fmt: skip
        request.session[SESSION_NEW_LINK] = request.build_absolute_uri(
            reverse("web:endorse", args=[secret])
        )
    elif what == "submit":
        services.statement_submit(by=by, statement=statement)
        messages.success(request, _("The statement is in review."))
    elif what == "publish":
        services.statement_publish(by=by, statement=statement)
        messages.success(request, _("The statement is published."))
    elif what == "correct":
        services.statement_correct(by=by, statement=statement, note=post.get("note", ""))
        messages.success(request, _("A new version is in draft."))
    elif what == "withdraw":
        found = [
            e
            for e in endorsements_for_owners(by, statement)
            if str(e.pk) == post.get("endorsement")
        ]
        if not found:
            raise CorridorError(_("That endorsement is not on this statement."))
        services.endorsement_withdraw(by=by, endorsement=found[0], reason=post.get("reason", ""))
        messages.success(request, _("The withdrawal is recorded."))
    elif what in ("ask", "response", "response_edit"):
        _act_ask(request, statement, what)
    else:
        raise CorridorError(_("Nothing to do."))


def _act_ask(request: HttpRequest, statement: Statement, what: str) -> None:
    post = request.POST
    by = request.user
    if what == "ask":
        services.ask_add(
            by=by, statement=statement, text=post.get("text", ""),
            target=post.get("target", ""), target_kind=post.get("target_kind", ""),
        )  # fmt: skip
        messages.success(request, _("The ask is added."))
        return
    source = None
    if post.get("source"):
        source_id = uuid_or_none(post.get("source"))
        source = sources_visible_to(by).filter(pk=source_id).first() if source_id else None
        if source is None:
            raise CorridorError(_("A chosen source is not one you may cite."))
    try:
        on = dt.date.fromisoformat(post.get("on", ""))
    except ValueError:
        raise CorridorError(_("Give the date of the response as YYYY-MM-DD.")) from None
    fields: dict[str, Any] = {
        "on": on, "status": post.get("status", ""), "summary": post.get("summary", ""),
        "source": source, "url": post.get("url", ""),
    }  # fmt: skip
    if what == "response_edit":
        response_id = uuid_or_none(post.get("response"))
        response = response_of(by, statement, response_id) if response_id else None
        if response is None:
            raise CorridorError(_("That response is not on this statement."))
        services.response_update(by=by, response=response, **fields)
        messages.success(request, _("The response is corrected; its earlier wording is kept."))
        return
    ask_id = uuid_or_none(post.get("ask"))
    ask = asks_visible_to(by).filter(statement=statement, pk=ask_id).first() if ask_id else None
    if ask is None:
        raise CorridorError(_("That ask is not on this statement."))
    services.response_add(by=by, ask=ask, **fields)
    messages.success(request, _("The response is recorded."))


@require_http_methods(["GET", "POST"])
def endorse_page(request: HttpRequest, secret: str) -> HttpResponse:
    """Open to anyone with the link, no account. Light: no script, one form. The page never
    shows who the link was sent to, so a forwarded link reveals no endorser."""
    invitation = invitation_by_secret(secret)
    if invitation is None:
        return render(request, "web/endorse.html", {"closed": True}, status=404)
    statement = invitation.statement
    version = services.current_version(statement)
    texts = {t.language: t for t in version.texts.all()}
    language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in texts else "en"
    text = texts.get(language) or next(iter(texts.values()))
    values = {
        "name": request.POST.get("name", ""),
        "listed_as": request.POST.get("listed_as", ListedAs.NAME),
        "display_name": request.POST.get("display_name", ""),
        "group": request.POST.get("group", invitation.group),
    }
    if request.method == "POST":
        try:
            services.endorsement_accept(secret=secret, **values)
        except CorridorError as exc:
            messages.error(request, str(exc))
        else:
            return render(request, "web/endorse.html", {"done": True, "text": text})
    return render(
        request,
        "web/endorse.html",
        {
            "text": text,
            "body": to_html(text.body),
            "invitation": invitation,
            "values": values,
            "choices": ListedAs.choices,
            "individual": invitation.kind == EndorserKind.INDIVIDUAL,
        },
    )


def _published(pk: Any) -> Statement:
    statement = statement_public(pk)
    if statement is None:
        raise Http404
    return statement


@shared_output(
    "web.statement_public",
    what=(
        "/s/<id>/: a published joint statement for anyone (no sign-in): its text, footnotes, "
        "coalitions and endorsers as frozen at publication, through the disclosure gate (the "
        "anonymous only counted)"
    ),
)
def statement_public_page(request: HttpRequest, pk: Any) -> HttpResponse:
    statement = _published(pk)
    document = public_statement(statement, language=request.GET.get("lang", "en"))
    asks_url = (
        f"{reverse('web:statement_asks', args=[statement.pk])}?lang={document.language}"
        if statement.asks.exists()
        else ""
    )
    return HttpResponse(render_document(document, "html", page=True, asks_url=asks_url))


@shared_output(
    "web.statement_public_export",
    what="/s/<id>/statement.html|md|txt: the published statement's exports (as its page)",
)
def statement_public_export(request: HttpRequest, pk: Any, fmt: str) -> HttpResponse:
    statement = _published(pk)
    out = io.StringIO()
    services.statement_export(
        by=None, statement=statement, fmt=fmt, out=out, language=request.GET.get("lang", "en")
    )
    response = HttpResponse(out.getvalue(), content_type=CONTENT_TYPES[fmt])
    # The HTML file carries its own style sheet, which the pages' CSP would block: a download.
    disposition = "attachment" if fmt == "html" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="statement.{fmt}"'
    return response


def _since(request: HttpRequest) -> tuple[dt.date | None, str]:
    try:
        return parse_since(request.GET.get("since")), ""
    except CorridorError as exc:
        return None, str(exc)


@shared_output(
    "web.statement_asks_public",
    what=(
        "/s/<id>/asks/: a published statement's asks for anyone (no sign-in): each ask's "
        "target, latest status and dated responses with their evidence; the statement's title "
        "from its public document, its organisation by its public label (the gate)"
    ),
)
def statement_asks_public_page(request: HttpRequest, pk: Any) -> HttpResponse:
    statement = _published(pk)
    since, error = _since(request)
    document = public_statement(statement, language=request.GET.get("lang", "en"))
    board = tracker(
        asks_public().filter(statement=statement), since=since, language=document.language
    )
    asks = board.statements[0].asks if board.statements else ()
    return render(
        request,
        "statements/asks.html",
        {"doc": document, "board": board, "asks": asks, "error": error, "single": True},
        status=400 if error else 200,
    )


@shared_output(
    "web.asks_public",
    what=(
        "/asks/: every published statement's asks for anyone (no sign-in); ?since=YYYY-MM-DD "
        "keeps the asks with a response on or after the date; the organisations behind the "
        "statements by their public labels (the gate)"
    ),
)
def asks_public_page(request: HttpRequest) -> HttpResponse:
    since, error = _since(request)
    board = tracker(asks_public(), since=since)
    return render(
        request,
        "statements/asks.html",
        {"board": board, "error": error, "single": False},
        status=400 if error else 200,
    )
