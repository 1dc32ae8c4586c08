"""Queries of agencies and API clients."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from app.core.pagination import keyset
from app.models import Agency, ApiClient

_agencies = Agency.__table__  # type: ignore[attr-defined]
_ROLES_OF = sa_select(_agencies.c.roles).where(_agencies.c.id == bindparam("agency_id"))


class AgencyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, agency_id: uuid.UUID) -> Agency | None:
        return self.session.get(Agency, agency_id)

    def roles_of(self, agency_id: uuid.UUID) -> list[str] | None:
        """Only the roles (None if no such agency): for hot reads that need nothing else,
        without loading a mapped instance."""
        row = self.session.connection().execute(_ROLES_OF, {"agency_id": agency_id}).first()
        return None if row is None else list(row[0])

    def get_by_slug(self, slug: str) -> Agency | None:
        return self.session.exec(select(Agency).where(Agency.slug == slug)).first()

    def page(self, *, limit: int, after: tuple[Any, ...] | None) -> list[Agency]:
        return list(self.session.exec(keyset(select(Agency), Agency, after, limit)))

    def add(self, agency: Agency) -> None:
        self.session.add(agency)
        self.session.flush()


class ClientRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, client_id: uuid.UUID) -> ApiClient | None:
        return self.session.get(ApiClient, client_id)

    def page_for_agency(
        self, agency_id: uuid.UUID, *, limit: int, after: tuple[Any, ...] | None
    ) -> list[ApiClient]:
        stmt = select(ApiClient).where(ApiClient.agency_id == agency_id)
        return list(self.session.exec(keyset(stmt, ApiClient, after, limit)))

    def add(self, client: ApiClient) -> None:
        self.session.add(client)
        self.session.flush()
