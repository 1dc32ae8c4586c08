"""Agencies (partner organisations) and their API clients."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, new_id, utcnow


class Agency(SQLModel, table=True):
    __tablename__ = "agencies"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    country: str = Field(max_length=2)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    services: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    accepting_referrals: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class ApiClient(SQLModel, table=True):
    __tablename__ = "api_clients"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    agency_id: uuid.UUID = Field(foreign_key="agencies.id", index=True)
    name: str = Field(max_length=200)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # scrypt hash of the secret; the secret itself is shown once and never stored.
    secret_hash: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
