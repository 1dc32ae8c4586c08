"""Event feed bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.core.examples import CURSOR, EVENT, example
from app.events.outbox import EventType


class EventRead(BaseModel):
    model_config = example(EVENT)

    id: uuid.UUID
    type: EventType
    occurred_at: datetime
    resource_type: str = Field(examples=["referral"])
    resource_id: uuid.UUID
    data: dict[str, Any] = Field(
        description="Ids and small facts only; never identity.",
        examples=[{"from": "requested", "to": "accepted", "version": 2}],
    )


class EventPage(BaseModel):
    model_config = example({"items": [EVENT], "next_cursor": CURSOR})

    items: list[EventRead]
    next_cursor: str | None = Field(
        description="Pass as ?after= next time. Equals the cursor you sent when nothing new "
        "arrived; null only when you sent none and there is nothing yet."
    )
