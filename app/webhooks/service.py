"""Webhook subscriptions: create (secret shown once), list, delete, deliveries log."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session, col

from app.auth.principal import Caller
from app.core.crypto import Keyring
from app.core.errors import NotFound
from app.core.pagination import keyset, paginate
from app.events.feed import FeedPosition, audiences_of
from app.models import EventAudience, WebhookDelivery, WebhookSubscription
from app.webhooks.signing import new_secret
from app.webhooks.targets import check_target

SECRET_TABLE, SECRET_COLUMN = "webhook_subscriptions", "secret_ciphertext"


class WebhookNotFound(NotFound):
    slug = "webhook-not-found"
    default_detail = "No such webhook subscription."


def _feed_head(session: Session, audiences: list[str]) -> FeedPosition:
    """Where the agency's feed ends now: a new subscription starts there."""
    audience = EventAudience
    stmt = select(col(audience.xid), col(audience.event_position)).where(
        col(audience.audience).in_(audiences)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.where(
            col(audience.xid) < text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        )
    stmt = stmt.order_by(col(audience.xid).desc(), col(audience.event_position).desc()).limit(1)
    row = session.execute(stmt).first()
    return FeedPosition(int(row[0]), int(row[1])) if row else FeedPosition(0, 0)


def create(
    session: Session,
    caller: Caller,
    *,
    url: str,
    event_types: list[str],
    description: str | None,
    keyring: Keyring,
    allow_insecure: bool,
) -> tuple[WebhookSubscription, str]:
    check_target(url, allow_insecure=allow_insecure)
    secret = new_secret()
    head = _feed_head(session, audiences_of(session, caller.agency_id))
    subscription_id = uuid.uuid4()
    subscription = WebhookSubscription(
        id=subscription_id,
        agency_id=caller.agency_id,
        url=url,
        event_types=event_types,
        description=description,
        secret_ciphertext=keyring.encrypt(
            secret.encode(), table=SECRET_TABLE, column=SECRET_COLUMN, row_id=subscription_id
        ),
        cursor_xid=head.xid,
        cursor_position=head.position,
    )
    session.add(subscription)
    session.flush()
    return subscription, secret


def secret_of(subscription: WebhookSubscription, keyring: Keyring) -> str:
    return keyring.decrypt(
        subscription.secret_ciphertext,
        table=SECRET_TABLE,
        column=SECRET_COLUMN,
        row_id=subscription.id,
    ).decode()


def get_own(session: Session, caller: Caller, subscription_id: uuid.UUID) -> WebhookSubscription:
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None or subscription.agency_id != caller.agency_id:
        raise WebhookNotFound()
    return subscription


def list_own(session: Session, caller: Caller) -> list[WebhookSubscription]:
    stmt = (
        select(WebhookSubscription)
        .where(col(WebhookSubscription.agency_id) == caller.agency_id)
        .order_by(col(WebhookSubscription.created_at), col(WebhookSubscription.id))
    )
    return list(session.execute(stmt).scalars())


def delete(session: Session, caller: Caller, subscription_id: uuid.UUID) -> None:
    subscription = get_own(session, caller, subscription_id)
    session.execute(
        WebhookDelivery.__table__.delete().where(  # type: ignore[attr-defined]
            col(WebhookDelivery.subscription_id) == subscription.id
        )
    )
    session.delete(subscription)
    session.flush()


def deliveries(
    session: Session, caller: Caller, subscription_id: uuid.UUID, *, limit: int, cursor: str | None
) -> tuple[list[WebhookDelivery], str | None]:
    subscription = get_own(session, caller, subscription_id)
    stmt = select(WebhookDelivery).where(col(WebhookDelivery.subscription_id) == subscription.id)

    def fetch(n: int, after: tuple[Any, ...] | None) -> list[WebhookDelivery]:
        return list(session.execute(keyset(stmt, WebhookDelivery, after, n)).scalars())

    return paginate("deliveries", cursor, limit, fetch)
