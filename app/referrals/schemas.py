"""Referral bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field, StrictBool

from app.core.enums import Purpose, ReferralStatus, Urgency
from app.core.types import InputModel, LongText


class ReferralCreate(InputModel):
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
    to: ReferralStatus = Field(examples=["accepted"])
    reason: LongText | None = Field(
        default=None, description="Required for rejected and cancelled.", examples=["At capacity"]
    )


class ReferralRead(BaseModel):
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
    from_status: ReferralStatus | None
    to_status: ReferralStatus
    reason: str | None
    changed_by_agency_id: uuid.UUID
    changed_at: datetime


class ReferralHistory(BaseModel):
    items: list[StatusChangeRead]
