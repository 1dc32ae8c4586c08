"""Presumed victims (pseudonymous records) and their consent records."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, new_id, utcnow

# JSONB on PostgreSQL so list filters (exploitation type) can use containment.
JSONList = JSON().with_variant(JSONB(), "postgresql")


class Victim(SQLModel, table=True):
    __tablename__ = "victims"
    __table_args__ = (
        UniqueConstraint("registered_by_agency_id", "external_ref"),
        # The hot read: one agency's records, newest page by (created_at, id).
        Index("ix_victims_registered_by_created", "registered_by_agency_id", "created_at", "id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    case_number: str = Field(max_length=16, unique=True)
    registered_by_agency_id: uuid.UUID = Field(foreign_key="agencies.id")
    rescue_operation_id: uuid.UUID | None = Field(
        default=None, foreign_key="rescue_operations.id", index=True
    )
    external_ref: str | None = Field(default=None, max_length=100)
    sex: str = Field(max_length=16)
    age_estimate: int | None = None
    # Age at registration, from the birth date when known, else the estimate; kept in
    # clear (unlike the birth date) because age bands and child status depend on it.
    age_at_registration: int | None = None
    age_band: str | None = Field(default=None, max_length=8)
    is_child: bool = False
    nationality: str | None = Field(default=None, max_length=2, index=True)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    exploitation_types: list[str] = Field(
        default_factory=list, sa_column=Column(JSONList, nullable=False)
    )
    country_of_exploitation: str | None = Field(default=None, max_length=2)
    recruitment_method: str | None = Field(default=None, max_length=32)
    needs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    identification_status: str = Field(default="presumed", max_length=16)
    # Names, aliases, phone, documents and birth date, as one AES-256-GCM value bound to
    # this row (app.core.crypto). NULL when none was given or after erasure.
    identity_ciphertext: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    identity_key_version: int | None = Field(default=None, index=True)
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    version: int = 1


class Consent(SQLModel, table=True):
    """Append-only: a consent is never updated; a withdrawal is a row of its own."""

    __tablename__ = "consents"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    victim_id: uuid.UUID = Field(foreign_key="victims.id", index=True)
    purposes: list[str] = Field(sa_column=Column(JSON, nullable=False))
    method: str = Field(max_length=16)
    language: str | None = Field(default=None, max_length=3)
    interpreter_used: bool = False
    given_at: datetime = Field(sa_type=UTCDateTime)
    recorded_by_agency_id: uuid.UUID = Field(foreign_key="agencies.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConsentWithdrawal(SQLModel, table=True):
    __tablename__ = "consent_withdrawals"

    consent_id: uuid.UUID = Field(foreign_key="consents.id", primary_key=True)
    withdrawn_at: datetime = Field(sa_type=UTCDateTime)
    recorded_by_agency_id: uuid.UUID = Field(foreign_key="agencies.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
