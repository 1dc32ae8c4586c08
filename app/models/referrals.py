"""Referrals between agencies, their status history, identification decisions and
reconsideration requests."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, new_id, utcnow

OPEN_STATUSES = ("requested", "received", "accepted", "in_progress")
_OPEN_SQL = "status IN ('requested', 'received', 'accepted', 'in_progress')"


class Referral(SQLModel, table=True):
    __tablename__ = "referrals"
    __table_args__ = (
        # One open referral per (victim, recipient, purpose), enforced by the database.
        Index(
            "uq_referrals_open_per_victim_recipient_purpose",
            "victim_id",
            "to_agency_id",
            "purpose",
            unique=True,
            sqlite_where=text(_OPEN_SQL),
            postgresql_where=text(_OPEN_SQL),
        ),
        Index("ix_referrals_to_agency_created", "to_agency_id", "created_at", "id"),
        Index("ix_referrals_from_agency_created", "from_agency_id", "created_at", "id"),
        # Access follows referrals: "does this agency hold a live referral for this victim".
        Index("ix_referrals_victim_to_agency_status", "victim_id", "to_agency_id", "status"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    reference: str = Field(max_length=16, unique=True)
    victim_id: uuid.UUID = Field(foreign_key="victims.id")
    from_agency_id: uuid.UUID = Field(foreign_key="agencies.id")
    to_agency_id: uuid.UUID = Field(foreign_key="agencies.id")
    purpose: str = Field(max_length=32)
    urgency: str = Field(max_length=16)
    share_identity: bool = False
    notes: str | None = Field(default=None, max_length=4000)
    status: str = Field(default="requested", max_length=16)
    status_reason: str | None = Field(default=None, max_length=4000)
    decision_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class ReferralStatusChange(SQLModel, table=True):
    """Append-only history: who moved a referral from which status to which, and why."""

    __tablename__ = "referral_status_changes"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    referral_id: uuid.UUID = Field(foreign_key="referrals.id", index=True)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    reason: str | None = Field(default=None, max_length=4000)
    changed_by_agency_id: uuid.UUID = Field(foreign_key="agencies.id")
    changed_by_client_id: uuid.UUID | None = None
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Decision(SQLModel, table=True):
    """An identification decision. Immutable: a reconsideration is a new, superseding one."""

    __tablename__ = "identification_decisions"
    __table_args__ = (Index("ix_decisions_created", "created_at", "id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    referral_id: uuid.UUID = Field(foreign_key="referrals.id", index=True)
    victim_id: uuid.UUID = Field(foreign_key="victims.id", index=True)
    stage: str = Field(max_length=16)
    outcome: str = Field(max_length=16)
    exploitation_types: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    legal_basis: str | None = Field(default=None, max_length=1000)
    reasons: str = Field(max_length=4000)
    decided_by_agency_id: uuid.UUID = Field(foreign_key="agencies.id", index=True)
    decided_at: datetime = Field(sa_type=UTCDateTime)
    supersedes_id: uuid.UUID | None = Field(
        default=None, foreign_key="identification_decisions.id", unique=True
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class ReconsiderationRequest(SQLModel, table=True):
    __tablename__ = "reconsideration_requests"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    decision_id: uuid.UUID = Field(foreign_key="identification_decisions.id", unique=True)
    referral_id: uuid.UUID = Field(foreign_key="referrals.id", index=True)
    requested_by_agency_id: uuid.UUID = Field(foreign_key="agencies.id")
    reasons: str = Field(max_length=4000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
