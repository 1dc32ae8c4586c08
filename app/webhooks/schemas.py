"""Webhook subscription and delivery bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, field_validator

from app.core.examples import DELIVERY_ID, EVENT_ID, UPDATED_AT, WEBHOOK, example
from app.core.types import InputModel, ShortText, reject_unsafe, unique_items
from app.events.outbox import EventType


class WebhookCreate(InputModel):
    model_config = example({k: WEBHOOK[k] for k in ("url", "event_types", "description")})

    url: Annotated[str, Field(min_length=8, max_length=2000), AfterValidator(reject_unsafe)] = (
        Field(examples=["https://cms.partner.example/hooks/nrm"])
    )
    event_types: Annotated[list[EventType], Field(min_length=1, max_length=10)] = Field(
        examples=[["referral.created", "referral.status_changed", "decision.issued"]]
    )
    description: ShortText | None = Field(default=None, examples=["Case management sync"])

    _unique = field_validator("event_types")(unique_items)


class WebhookRead(BaseModel):
    model_config = example(WEBHOOK)

    id: uuid.UUID
    url: str
    event_types: list[EventType]
    description: str | None
    status: str = Field(description="active, or disabled after deliveries kept failing.")
    disabled_reason: str | None
    created_at: datetime


class WebhookCreated(WebhookRead):
    model_config = example({**WEBHOOK, "secret": "whsec_ZXhhbXBsZS1vbmx5LW5vdC1hLXNlY3JldA=="})

    secret: str = Field(
        description="Verifies webhook-signature (Standard Webhooks). Shown only here."
    )


class DeliveryRead(BaseModel):
    model_config = example(
        {
            "id": DELIVERY_ID,
            "event_id": EVENT_ID,
            "event_type": "referral.status_changed",
            "status": "pending",
            "attempts": 2,
            "next_attempt_at": "2026-11-21T10:40:20Z",
            "last_attempt_at": "2026-11-21T10:40:10Z",
            "last_status_code": 503,
            "last_error": "HTTP 503",
            "delivered_at": None,
            "created_at": UPDATED_AT,
        }
    )

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
