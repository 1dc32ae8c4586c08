"""Audit trail bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class AuditEventRead(BaseModel):
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
    valid: bool
    entries: int
    head_hash: str
    first_bad_id: uuid.UUID | None


class AccessLogEntry(BaseModel):
    at: datetime
    agency_id: uuid.UUID | None
    agency_name: str | None
    action: str = Field(examples=["referral.create"])
    outcome: str
