"""Webhook subscription and delivery bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, field_validator

from app.core.types import InputModel, ShortText, reject_unsafe, unique_items
from app.events.outbox import EventType


class WebhookCreate(InputModel):
    url: Annotated[str, Field(min_length=8, max_length=2000), AfterValidator(reject_unsafe)] = (
        Field(examples=["https://cms.partner.example/hooks/nrm"])
    )
    event_types: Annotated[list[EventType], Field(min_length=1, max_length=10)] = Field(
        examples=[["referral.created", "referral.status_changed", "decision.issued"]]
    )
    description: ShortText | None = Field(default=None, examples=["Case management sync"])

    _unique = field_validator("event_types")(unique_items)


class WebhookRead(BaseModel):
    id: uuid.UUID
    url: str
    event_types: list[EventType]
    description: str | None
    status: str = Field(description="active, or disabled after deliveries kept failing.")
    disabled_reason: str | None
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(
        description="Verifies webhook-signature (Standard Webhooks). Shown only here."
    )


class DeliveryRead(BaseModel):
    id: uuid.UUID = Field(description="Also the webhook-id header of every attempt.")
    event_id: uuid.UUID
    event_type: EventType
    status: str = Field(description="pending, succeeded or failed (gave up after 3 days).")
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
