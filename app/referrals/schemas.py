"""Referral bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field, StrictBool

from app.core.enums import Purpose, ReferralStatus, Urgency
from app.core.examples import (
    AUTHORITY_ID,
    CREATED_AT,
    NGO_ID,
    REFERRAL,
    UPDATED_AT,
    VICTIM_ID,
    example,
)
from app.core.types import InputModel, LongText


class ReferralCreate(InputModel):
    model_config = example(
        {
            "victim_id": VICTIM_ID,
            "to_agency_id": AUTHORITY_ID,
            "purpose": "identification",
            "urgency": "urgent",
            "share_identity": True,
            "notes": REFERRAL["notes"],
        }
    )

    victim_id: uuid.UUID
    to_agency_id: uuid.UUID
    purpose: Purpose = Field(examples=["identification"])
    urgency: Urgency = Field(default=Urgency.ROUTINE, examples=["urgent"])
    share_identity: StrictBool = Field(
        default=False,
        description="Share identity with the recipient (an adult needs a data_sharing consent).",
    )
    notes: LongText | None = Field(
        default=None, description="For the recipient. Never names or other identity."
    )


class TransitionCreate(InputModel):
    model_config = example({"to": "accepted", "reason": None})

    to: ReferralStatus = Field(examples=["accepted"])
    reason: LongText | None = Field(
        default=None, description="Required for rejected and cancelled.", examples=["At capacity"]
    )


class ReferralRead(BaseModel):
    model_config = example(REFERRAL)

    id: uuid.UUID
    reference: str = Field(examples=["R-4KQ7-M2XD"])
    victim_id: uuid.UUID
    victim_case_number: str = Field(examples=["V-7K3M-9QXD"])
    from_agency_id: uuid.UUID
    to_agency_id: uuid.UUID
    purpose: Purpose
    urgency: Urgency
    share_identity: bool
    notes: str | None
    status: ReferralStatus
    status_reason: str | None
    decision_due_at: datetime | None = Field(
        description="Identification referrals: when a decision is due."
    )
    created_at: datetime
    updated_at: datetime
    version: int


class StatusChangeRead(BaseModel):
    model_config = example(
        {
            "from_status": "received",
            "to_status": "accepted",
            "reason": None,
            "changed_by_agency_id": AUTHORITY_ID,
            "changed_at": UPDATED_AT,
        }
    )

    from_status: ReferralStatus | None
    to_status: ReferralStatus
    reason: str | None
    changed_by_agency_id: uuid.UUID
    changed_at: datetime


class ReferralHistory(BaseModel):
    model_config = example(
        {
            "items": [
                {
                    "from_status": None,
                    "to_status": "requested",
                    "reason": None,
                    "changed_by_agency_id": NGO_ID,
                    "changed_at": CREATED_AT,
                },
                {
                    "from_status": "requested",
                    "to_status": "received",
                    "reason": None,
                    "changed_by_agency_id": AUTHORITY_ID,
                    "changed_at": UPDATED_AT,
                },
            ]
        }
    )

    items: list[StatusChangeRead]
