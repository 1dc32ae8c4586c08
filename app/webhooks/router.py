"""HTTP routes of webhook subscriptions."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from app.auth.deps import WebhooksManage
from app.core.deps import Db
from app.core.idempotency import IdempotencyKeyHeader, Outcome
from app.core.pagination import CursorParam, InvalidCursor, LimitParam, Page, set_next_link
from app.core.requests import finish_create, idempotent
from app.core.responses import problems
from app.models import WebhookDelivery, WebhookSubscription
from app.webhooks import service
from app.webhooks.schemas import DeliveryRead, WebhookCreate, WebhookCreated, WebhookRead
from app.webhooks.service import WebhookNotFound
from app.webhooks.targets import UnsafeWebhookTarget

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


def _read(s: WebhookSubscription) -> WebhookRead:
    return WebhookRead(
        id=s.id,
        url=s.url,
        event_types=s.event_types,
        description=s.description,
        status=s.status,
        disabled_reason=s.disabled_reason,
        created_at=s.created_at,
    )


@router.post("", status_code=201, responses=problems(UnsafeWebhookTarget))
def create_webhook(
    request: Request,
    response: Response,
    data: WebhookCreate,
    caller: WebhooksManage,
    db: Db,
    idempotency_key: IdempotencyKeyHeader = None,
) -> WebhookCreated:
    """Subscribe an https endpoint to events; the signing secret is shown only here.

    Deliveries follow the Standard Webhooks spec (webhook-id, webhook-timestamp,
    webhook-signature), at least once, retried with exponential backoff for up to 3 days.
    """
    state = request.app.state
    with db.begin(caller) as session:

        def work() -> Outcome:
            subscription, _ = service.create(
                session,
                caller,
                url=data.url,
                event_types=[t.value for t in data.event_types],
                description=data.description,
                keyring=state.keyring,
                allow_insecure=state.settings.webhook_allow_insecure_targets,
            )
            return Outcome(201, [subscription.id])

        outcome = idempotent(request, session, caller, idempotency_key, data, work)
        subscription = service.get_own(session, caller, outcome.resource_ids[0])
        read = _read(subscription)
        # The secret is kept sealed (it must sign), so a retried create can show it again.
        secret = service.secret_of(subscription, state.keyring)
    finish_create(response, outcome, f"/v1/webhooks/{read.id}")
    return WebhookCreated(**read.model_dump(), secret=secret)


@router.get("")
def list_webhooks(caller: WebhooksManage, db: Db) -> Page[WebhookRead]:
    """List your agency's webhook subscriptions (never their secrets)."""
    with db.begin(caller, write=False) as session:
        items = [_read(s) for s in service.list_own(session, caller)]
    return Page[WebhookRead](items=items, next_cursor=None)


@router.delete("/{webhook_id}", status_code=204, responses=problems(WebhookNotFound))
def delete_webhook(webhook_id: uuid.UUID, caller: WebhooksManage, db: Db) -> Response:
    """Delete a subscription and its delivery log."""
    with db.begin(caller) as session:
        service.delete(session, caller, webhook_id)
    return Response(status_code=204)


def _delivery(d: WebhookDelivery) -> DeliveryRead:
    return DeliveryRead(
        id=d.id,
        event_id=d.event_id,
        event_type=d.event_type,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
        last_attempt_at=d.last_attempt_at,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        delivered_at=d.delivered_at,
        created_at=d.created_at,
    )


@router.get("/{webhook_id}/deliveries", responses=problems(WebhookNotFound, InvalidCursor))
def list_webhook_deliveries(
    request: Request,
    response: Response,
    webhook_id: uuid.UUID,
    caller: WebhooksManage,
    db: Db,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[DeliveryRead]:
    """The delivery log: status, attempts and last error of each delivery."""
    with db.begin(caller, write=False) as session:
        rows, next_cursor = service.deliveries(
            session, caller, webhook_id, limit=limit, cursor=cursor
        )
        items = [_delivery(d) for d in rows]
    set_next_link(request, response, next_cursor)
    return Page[DeliveryRead](items=items, next_cursor=next_cursor)
