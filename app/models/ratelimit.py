"""Failed token requests per client id, in fixed windows, shared by every API process."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime


class TokenFailureWindow(SQLModel, table=True):
    __tablename__ = "token_failure_windows"

    client_key: str = Field(max_length=64, primary_key=True)
    window_start: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    failures: int = 0
