"""`corridor statements`: list, show (the owners' view) and export joint statements.

    corridor statements list [--json]
    corridor statements show ID [--json]          every endorser, anonymous ones by name
    corridor statements export ID --format html|md|txt [-o FILE] [--lang my]
    corridor statements brief --state PCODE --from YYYY-MM --to YYYY-MM --as USERNAME [--owner ORG]
                                                  a situation brief, kept as a draft statement

``--as USERNAME`` acts as that person (what they may see); without it, the instance operator.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from corridor.cli import django_env

NAME = "statements"
HELP = (
    "joint statements: list them, show their endorsers (owners), export a published one, "
    "draft a situation brief"
)
#: The registered outputs this command writes (docs/security/disclosure.md).
OUTPUTS = ("statements.statement_export", "statements.owners_view", "web.situation_brief")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="as_user", metavar="USERNAME", help="act as this person")
    sub = parser.add_subparsers(dest="action", required=True)
    listing = sub.add_parser("list", help="every statement you may read")
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = sub.add_parser("show", help="a statement's endorsers, as its owners see them")
    show.add_argument("id", help="the statement's id")
    show.add_argument("--json", action="store_true", help="print JSON")
    export = sub.add_parser("export", help="a published statement as HTML, Markdown or text")
    export.add_argument("id", help="the statement's id")
    export.add_argument("--format", required=True, choices=("html", "md", "txt"))
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    export.add_argument("--lang", default="en", help="language of the text (default en)")
    brief = sub.add_parser(
        "brief", help="draft a situation brief of a state/region and period (needs --as)"
    )
    brief.add_argument("--state", required=True, metavar="PCODE", help="state/region p-code")
    brief.add_argument("--from", dest="first", required=True, metavar="YYYY-MM")
    brief.add_argument("--to", dest="last", required=True, metavar="YYYY-MM")
    brief.add_argument("--as", dest="brief_as", metavar="USERNAME", help="act as this editor")
    brief.add_argument(
        "--owner", metavar="ORGANISATION", help="the organisation the draft belongs to (name, "
        "acronym or id), when the editor edits for several",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    from django.core.exceptions import ValidationError

    from corridor.cli.acting import acting_user
    from corridor.core.errors import InvalidInput
    from corridor.statements.queries import (
        statement_owners_view,
        statement_rows,
        statement_visible,
    )
    from corridor.statements.services import statement_export

    user = acting_user(args.as_user or getattr(args, "brief_as", None))
    if args.action == "brief":
        from corridor.web.briefs import brief_draft_create

        if user is None:
            raise InvalidInput(
                "statements brief: name the editor with --as USERNAME (the brief uses the data "
                "they may see and becomes a draft of their organisation)"
            )
        from corridor.accounts import policy
        from corridor.orgs.queries import organisation_find_visible

        owner = organisation_find_visible(user, args.owner) if args.owner else None
        editing = len(policy.organisation_ids(user, policy.EDIT_ROLES))
        if owner is None and editing != 1:
            raise InvalidInput(
                f"statements brief: {args.brief_as or args.as_user} edits for {editing} "
                "organisations; name the one the draft belongs to with --owner ORGANISATION"
            )
        statement = brief_draft_create(
            by=user,
            state_pcode=args.state,
            first_month=args.first,
            last_month=args.last,
            owner=owner,
        )
        print(statement.pk)
        return 0
    if args.action == "list":
        rows = statement_rows(user)
        if args.json:
            print(json.dumps({"statements": rows}, ensure_ascii=False, indent=2))
        else:
            for row in rows:
                print(f"{row['id']}  {row['status']:<9}  {row['title']}  {row['public_url']}")
        return 0
    try:
        found = statement_visible(user, args.id)
    except ValidationError:
        found = None
    if found is None:
        raise InvalidInput(f"{args.id!r} is not a statement you may read")
    statement = found
    if args.action == "show":
        view = statement_owners_view(user, statement)
        if args.json:
            print(json.dumps(view, ensure_ascii=False, indent=2))
        else:
            for row in view["endorsers"]:
                listed = row["listed_as"]
                if listed == "display_name":
                    listed += f" {row['display_name']}"
                gone = f"  (withdrawn {row['withdrawn_on']})" if row["withdrawn_on"] else ""
                print(f"{row['group']}: {row['name']}  [{listed}]{gone}")
        return 0
    if args.output:
        with args.output.open("w", encoding="utf-8") as out:
            statement_export(
                by=user, statement=statement, fmt=args.format, out=out, language=args.lang
            )
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        statement_export(
            by=user, statement=statement, fmt=args.format, out=sys.stdout, language=args.lang
        )
    return 0
