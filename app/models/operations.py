"""Rescue operations: one intake event, led by one agency, with participating agencies."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, new_id, utcnow


class RescueOperation(SQLModel, table=True):
    __tablename__ = "rescue_operations"
    # Unique per lead agency: a global check would tell one agency another's references.
    __table_args__ = (UniqueConstraint("lead_agency_id", "reference"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    reference: str = Field(max_length=40)
    name: str = Field(max_length=200)
    started_on: date
    ended_on: date | None = None
    location_place: str = Field(max_length=200)
    location_region: str | None = Field(default=None, max_length=200)
    location_country: str = Field(max_length=2)
    country_of_exploitation: str | None = Field(default=None, max_length=2)
    handed_over_by: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=4000)
    lead_agency_id: uuid.UUID = Field(foreign_key="agencies.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class RescueOperationParticipant(SQLModel, table=True):
    __tablename__ = "rescue_operation_participants"

    rescue_operation_id: uuid.UUID = Field(foreign_key="rescue_operations.id", primary_key=True)
    # Indexed on its own so "operations I take part in" does not scan.
    agency_id: uuid.UUID = Field(foreign_key="agencies.id", primary_key=True, index=True)
