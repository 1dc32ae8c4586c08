"""Webhook subscriptions and their deliveries (fed from the events outbox)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, new_id, utcnow


class WebhookSubscription(SQLModel, table=True):
    __tablename__ = "webhook_subscriptions"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    agency_id: uuid.UUID = Field(foreign_key="agencies.id", index=True)
    url: str = Field(max_length=2000)
    event_types: list[str] = Field(sa_column=Column(JSON, nullable=False))
    description: str | None = Field(default=None, max_length=500)
    # The signing secret, AES-GCM sealed to this row (it must be usable, so not hashed).
    secret_ciphertext: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="active", max_length=16, index=True)
    disabled_reason: str | None = Field(default=None, max_length=500)
    # How far the fan-out has read the agency's feed.
    cursor_xid: int = Field(default=0, sa_type=BigInteger)
    cursor_position: int = Field(default=0, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_position"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_subscription_created", "subscription_id", "created_at", "id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    subscription_id: uuid.UUID = Field(foreign_key="webhook_subscriptions.id")
    event_position: int = Field(sa_type=BigInteger)
    event_id: uuid.UUID
    event_type: str = Field(max_length=40)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = None
    # Short and generic ("HTTP 500", "timeout"): never the receiver's response body.
    last_error: str | None = Field(default=None, max_length=200)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
