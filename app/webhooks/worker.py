"""The delivery worker: outbox -> deliveries -> signed HTTP POSTs, at least once.

Fan-out reads each active subscription's feed from its cursor and records one delivery per
event; delivery claims due deliveries with a lease (so several workers never send the same
attempt twice), POSTs them signed per the Standard Webhooks spec, and records the outcome:
retries back off exponentially, a delivery still failing after ``webhook_give_up_hours``
(3 days) is marked failed and its subscription disabled, saying why.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi.encoders import jsonable_encoder
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from app.core.config import Settings
from app.core.crypto import Keyring
from app.core.db import Database, utcnow
from app.core.errors import PreconditionFailed
from app.core.versioning import guarded_update
from app.events.feed import FeedPosition, audiences_of, event_item, read_events
from app.models import Event, WebhookDelivery, WebhookSubscription
from app.webhooks.service import secret_of
from app.webhooks.signing import sign
from app.webhooks.targets import UnsafeWebhookTarget, check_target

logger = logging.getLogger(__name__)

FAN_OUT_PAGE = 500
CLAIM_BATCH = 20
LEASE = timedelta(seconds=60)


@dataclass
class WorkerStats:
    queued: int = 0
    succeeded: int = 0
    failed_attempts: int = 0


class DeliveryWorker:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        keyring: Keyring,
        *,
        http: httpx.Client | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.keyring = keyring
        self.http = http or httpx.Client(
            timeout=settings.webhook_timeout_seconds, follow_redirects=False
        )

    # -- fan-out -------------------------------------------------------------------------
    def fan_out(self) -> int:
        with self.database.session(write=False) as session:
            ids = list(
                session.execute(
                    select(col(WebhookSubscription.id)).where(
                        col(WebhookSubscription.status) == "active"
                    )
                ).scalars()
            )
        return sum(self._fan_out_one(sid) for sid in ids)

    def _fan_out_one(self, subscription_id: uuid.UUID) -> int:
        queued = 0
        while True:
            try:
                with self.database.session() as session:
                    subscription = session.get(WebhookSubscription, subscription_id)
                    if subscription is None or subscription.status != "active":
                        return queued
                    start = FeedPosition(subscription.cursor_xid, subscription.cursor_position)
                    events, last = read_events(
                        session,
                        audiences_of(session, subscription.agency_id),
                        start,
                        limit=FAN_OUT_PAGE,
                        types=subscription.event_types,
                    )
                    if not events:
                        return queued
                    now = utcnow()
                    session.add_all(
                        WebhookDelivery(
                            subscription_id=subscription.id,
                            event_position=e.position or 0,
                            event_id=e.id,
                            event_type=e.type,
                            next_attempt_at=now,
                            created_at=now,
                        )
                        for e in events
                    )
                    guarded_update(
                        session,
                        subscription,
                        {"cursor_xid": last.xid, "cursor_position": last.position},
                        subscription.version,
                    )
                    queued += len(events)
            except (IntegrityError, PreconditionFailed):
                return queued  # another worker fanned these out first
            if len(events) < FAN_OUT_PAGE:
                return queued

    # -- delivery ------------------------------------------------------------------------
    def deliver_due(self, now: datetime | None = None) -> WorkerStats:
        stats = WorkerStats()
        now = now or utcnow()
        for delivery_id in self._claim(now):
            if self._attempt(delivery_id, now):
                stats.succeeded += 1
            else:
                stats.failed_attempts += 1
        return stats

    def _claim(self, now: datetime) -> list[uuid.UUID]:
        token = uuid.uuid4().hex
        with self.database.session() as session:
            due = list(
                session.execute(
                    select(col(WebhookDelivery.id))
                    .where(
                        col(WebhookDelivery.status) == "pending",
                        col(WebhookDelivery.next_attempt_at) <= now,
                        or_(
                            col(WebhookDelivery.lease_until).is_(None),
                            col(WebhookDelivery.lease_until) < now,
                        ),
                    )
                    .order_by(col(WebhookDelivery.next_attempt_at))
                    .limit(CLAIM_BATCH)
                ).scalars()
            )
            if not due:
                return []
            # The WHERE is re-checked under the row lock: of two workers that picked the
            # same delivery, only one takes the lease.
            session.execute(
                update(WebhookDelivery)
                .where(
                    col(WebhookDelivery.id).in_(due),
                    col(WebhookDelivery.status) == "pending",
                    or_(
                        col(WebhookDelivery.lease_until).is_(None),
                        col(WebhookDelivery.lease_until) < now,
                    ),
                )
                .values(lease_owner=token, lease_until=now + LEASE)
                .execution_options(synchronize_session=False)
            )
            return list(
                session.execute(
                    select(col(WebhookDelivery.id)).where(col(WebhookDelivery.lease_owner) == token)
                ).scalars()
            )

    def _attempt(self, delivery_id: uuid.UUID, now: datetime) -> bool:
        with self.database.session(write=False) as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            assert delivery is not None
            subscription = session.get(WebhookSubscription, delivery.subscription_id)
            event = session.execute(
                select(Event).where(col(Event.position) == delivery.event_position)
            ).scalar_one()
            if subscription is None:
                return False
            url, secret = subscription.url, secret_of(subscription, self.keyring)
            payload = webhook_payload(event)
        body = json.dumps(jsonable_encoder(payload), separators=(",", ":")).encode()
        status_code, error = self._post(url, secret, str(delivery_id), body, now)
        self._record(delivery_id, now, status_code, error)
        return error is None

    def _post(
        self, url: str, secret: str, message_id: str, body: bytes, now: datetime
    ) -> tuple[int | None, str | None]:
        try:
            # Checked again at send time: DNS may have changed since subscription.
            check_target(url, allow_insecure=self.settings.webhook_allow_insecure_targets)
        except UnsafeWebhookTarget:
            return None, "target resolves to a non-public address"
        timestamp = int(now.timestamp())
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, message_id, timestamp, body),
            "user-agent": "referral-api-webhooks/1",
        }
        try:
            response = self.http.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            return None, "timeout"
        except httpx.HTTPError as exc:
            return None, f"connection error ({type(exc).__name__})"
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return response.status_code, f"HTTP {response.status_code}"

    def _record(
        self, delivery_id: uuid.UUID, now: datetime, status_code: int | None, error: str | None
    ) -> None:
        with self.database.session() as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            assert delivery is not None
            delivery.attempts += 1
            delivery.last_attempt_at = now
            delivery.last_status_code = status_code
            delivery.lease_owner = None
            delivery.lease_until = None
            if error is None:
                delivery.status = "succeeded"
                delivery.delivered_at = now
                delivery.last_error = None
                return
            delivery.last_error = error
            give_up = delivery.created_at + timedelta(hours=self.settings.webhook_give_up_hours)
            retry_at = now + self._backoff(delivery.attempts)
            if retry_at > give_up:
                delivery.status = "failed"
                subscription = session.get(WebhookSubscription, delivery.subscription_id)
                if subscription is not None and subscription.status == "active":
                    subscription.status = "disabled"
                    subscription.disabled_reason = (
                        f"Disabled at {now.isoformat()}: a delivery kept failing for "
                        f"{self.settings.webhook_give_up_hours:g} hours (last error: {error})."
                    )
                    subscription.version += 1
            else:
                delivery.next_attempt_at = retry_at

    def _backoff(self, attempts: int) -> timedelta:
        base = self.settings.webhook_retry_base_seconds * 2 ** (attempts - 1)
        delay = min(base, self.settings.webhook_retry_max_seconds)
        return timedelta(seconds=delay * random.uniform(1.0, 1.1))  # noqa: S311 (jitter)

    # -- loop ----------------------------------------------------------------------------
    def run_once(self, now: datetime | None = None) -> WorkerStats:
        queued = self.fan_out()
        stats = self.deliver_due(now)
        stats.queued = queued
        return stats

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception as exc:  # keep delivering; the next round retries
                logger.error(
                    "webhook worker round failed", extra={"error_class": type(exc).__name__}
                )
            stop.wait(self.settings.worker_poll_seconds)


def start_background_worker(worker: DeliveryWorker) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,), name="webhooks", daemon=True)
    thread.start()
    return thread, stop


def webhook_payload(event: Event) -> dict[str, Any]:
    """The body partners receive: the feed's event item, wrapped the Standard Webhooks way."""
    return {"type": event.type, "timestamp": event.occurred_at, "data": event_item(event)}
