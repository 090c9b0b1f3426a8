"""Drives the live app through the client openapi-python-client generated from its document.

Run by crates/server/tests/generated_client.rs with the generated package `portico_client` on
PYTHONPATH and PORTICO_BASE_URL, PORTICO_EMAIL, PORTICO_PASSWORD, PORTICO_PORTAL_ID set. Every
answer must parse into its typed model, and carry exactly the keys the document lists.
"""

import json
import os
import sys
from http import HTTPStatus

from portico_client import AuthenticatedClient, Client
from portico_client.api.auth import create_token
from portico_client.api.mail import get_mail, list_mail, send_test_mail
from portico_client.api.portals import (
    export_portal_config,
    get_portal,
    list_portals,
    list_user_types,
)
from portico_client.api.records import (
    create_record,
    delete_record,
    get_record,
    list_records,
    update_record,
)
from portico_client.models import (
    ListMailState,
    Mail,
    MailList,
    MailSummary,
    PortalConfig,
    PortalList,
    Record,
    RecordBody,
    RecordBodyData,
    RecordList,
    RecordPatch,
    RecordPatchData,
    Token,
    TokenRequest,
    UserTypeList,
)
from portico_client.types import UNSET, Unset

BASE = os.environ["PORTICO_BASE_URL"]
PORTAL = int(os.environ["PORTICO_PORTAL_ID"])


def check(cond, what):
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)


def same_keys(raw, parsed, at="$"):
    """The server's JSON and the model's view of it have the same keys at every level: the
    document lists every key the server answers, and no key it does not."""
    if isinstance(raw, dict) and isinstance(parsed, dict):
        check(
            set(raw) == set(parsed),
            f"{at}: served keys {sorted(raw)} but the model has {sorted(parsed)}",
        )
        for key in raw:
            same_keys(raw[key], parsed[key], f"{at}.{key}")
    elif isinstance(raw, list) and isinstance(parsed, list):
        check(len(raw) == len(parsed), f"{at}: lengths differ")
        for i, (r, p) in enumerate(zip(raw, parsed)):
            same_keys(r, p, f"{at}[{i}]")


def typed(response, status, model):
    check(
        response.status_code == status,
        f"expected {status}, got {response.status_code}: {response.content!r}",
    )
    check(
        isinstance(response.parsed, model),
        f"expected a {model.__name__}, got {type(response.parsed).__name__}",
    )
    same_keys(json.loads(response.content), response.parsed.to_dict())
    return response.parsed


def main():
    anonymous = Client(base_url=BASE, raise_on_unexpected_status=True)
    token = typed(
        create_token.sync_detailed(
            client=anonymous,
            body=TokenRequest(
                email=os.environ["PORTICO_EMAIL"], password=os.environ["PORTICO_PASSWORD"]
            ),
        ),
        HTTPStatus.CREATED,
        Token,
    )
    client = AuthenticatedClient(
        base_url=BASE, token=token.token, raise_on_unexpected_status=True
    )

    # Records: create, list (with search), get, patch with If-Match, delete.
    created = create_record.sync_detailed(
        module="Contacts",
        client=client,
        body=RecordBody(
            data=RecordBodyData.from_dict(
                {"Last_Name": "Generated", "Email": "generated.client@example.com"}
            )
        ),
    )
    record = typed(created, HTTPStatus.CREATED, Record)
    check(record.data["Last_Name"] == "Generated", "data round-trips")
    check(record.state.approval_locked is False, "state is typed")
    check(created.headers["etag"] == f'"{record.version}"', "ETag is the version")

    page = typed(
        list_records.sync_detailed(module="Contacts", client=client, limit=50, q="Generated"),
        HTTPStatus.OK,
        RecordList,
    )
    check([r.id for r in page.items] == [record.id], "search finds the new record")
    check(page.next_ is None or isinstance(page.next_, str), "next is a cursor or null")

    first = typed(
        list_records.sync_detailed(module="Contacts", client=client, limit=1),
        HTTPStatus.OK,
        RecordList,
    )
    check(len(first.items) == 1 and isinstance(first.next_, str), "a page with a cursor")
    second = typed(
        list_records.sync_detailed(
            module="Contacts", client=client, limit=1, after=first.next_
        ),
        HTTPStatus.OK,
        RecordList,
    )
    check(second.items[0].id != first.items[0].id, "after moves to the next page")

    fetched = get_record.sync_detailed(module="Contacts", id=record.id, client=client)
    again = typed(fetched, HTTPStatus.OK, Record)
    check(again.id == record.id, "get answers the record")
    etag = fetched.headers["etag"]

    patched = update_record.sync_detailed(
        module="Contacts",
        id=record.id,
        client=client,
        body=RecordPatch(data=RecordPatchData.from_dict({"Last_Name": "Regenerated"})),
        if_match=etag,
    )
    changed = typed(patched, HTTPStatus.OK, Record)
    check(changed.data["Last_Name"] == "Regenerated", "the patch applied")
    check(changed.version == record.version + 1, "the version went up")

    stale = update_record.sync_detailed(
        module="Contacts",
        id=record.id,
        client=client,
        body=RecordPatch(data=RecordPatchData.from_dict({"Last_Name": "Stale"})),
        if_match=etag,
    )
    check(stale.status_code == HTTPStatus.PRECONDITION_FAILED, "a stale If-Match is 412")

    gone = delete_record.sync_detailed(module="Contacts", id=record.id, client=client)
    check(gone.status_code == HTTPStatus.NO_CONTENT, "delete answers 204")
    missing = get_record.sync_detailed(module="Contacts", id=record.id, client=client)
    check(missing.status_code == HTTPStatus.NOT_FOUND, "a deleted record is gone")

    # Portals: the list, one portal, its user types, its configuration.
    portals = typed(list_portals.sync_detailed(client=client), HTTPStatus.OK, PortalList)
    check(PORTAL in [p.id for p in portals.items], "the fixture portal is listed")
    portal = get_portal.sync_detailed(portal=PORTAL, client=client)
    check(portal.status_code == HTTPStatus.OK, "get a portal")
    same_keys(json.loads(portal.content), portal.parsed.to_dict())
    types = typed(
        list_user_types.sync_detailed(portal=PORTAL, client=client),
        HTTPStatus.OK,
        UserTypeList,
    )
    check(len(types.items) >= 1, "the portal has user types")
    config = typed(
        export_portal_config.sync_detailed(portal=PORTAL, client=client),
        HTTPStatus.OK,
        PortalConfig,
    )
    check(
        sorted(t.name for t in config.user_types) == sorted(t.name for t in types.items),
        "the configuration lists the user types",
    )
    check(not isinstance(config.settings.status, Unset), "settings are typed")

    # Mail: the test email, the mail log (by state, with its cursor), one message.
    queued = typed(send_test_mail.sync_detailed(client=client), HTTPStatus.CREATED, MailSummary)
    check(queued.state == "pending" and queued.attempts == 0, "a test email waits in the outbox")
    check(queued.next_attempt_at is not None and queued.sent_at is None, "dates are typed")
    log = typed(
        list_mail.sync_detailed(client=client, limit=1, state=ListMailState.PENDING),
        HTTPStatus.OK,
        MailList,
    )
    check([m.id for m in log.items] == [queued.id], "the newest pending email")
    one = typed(get_mail.sync_detailed(id=queued.id, client=client), HTTPStatus.OK, Mail)
    check(one.message_id == queued.message_id and "<" in one.html, "one email with its bodies")
    print("round trip ok")


if __name__ == "__main__":
    main()
