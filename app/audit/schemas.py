"""Audit trail bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from app.core.examples import AUDIT_ID, CLIENT_ID, HASH, SHELTER_ID, UPDATED_AT, VICTIM_ID, example


class AuditEventRead(BaseModel):
    model_config = example(
        {
            "id": AUDIT_ID,
            "seq": 1042,
            "at": UPDATED_AT,
            "agency_id": SHELTER_ID,
            "client_id": CLIENT_ID,
            "action": "victim.read",
            "resource_type": "victim",
            "resource_id": VICTIM_ID,
            "request_id": "4f9c2a7e0b5d4c1e",
            "outcome": "success",
            "prev_hash": HASH[::-1],
            "hash": HASH,
        }
    )

    id: uuid.UUID
    seq: int
    at: datetime
    agency_id: uuid.UUID | None
    client_id: uuid.UUID | None
    action: str = Field(examples=["victim.read"])
    resource_type: str = Field(examples=["victim"])
    resource_id: uuid.UUID | None
    request_id: str | None
    outcome: str = Field(examples=["success"], description="success, or why it was refused.")
    prev_hash: str
    hash: str


class VerificationRead(BaseModel):
    model_config = example(
        {"valid": True, "entries": 1042, "head_hash": HASH, "first_bad_id": None}
    )

    valid: bool
    entries: int
    head_hash: str
    first_bad_id: uuid.UUID | None


class AccessLogEntry(BaseModel):
    model_config = example(
        {
            "at": UPDATED_AT,
            "agency_id": SHELTER_ID,
            "agency_name": "Safe Haven Shelter (synthetic)",
            "action": "victim.read",
            "outcome": "success",
        }
    )

    at: datetime
    agency_id: uuid.UUID | None
    agency_name: str | None
    action: str = Field(examples=["referral.create"])
    outcome: str
