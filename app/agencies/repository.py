"""Queries of agencies and API clients."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, select

from app.core.pagination import keyset
from app.models import Agency, ApiClient


class AgencyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, agency_id: uuid.UUID) -> Agency | None:
        return self.session.get(Agency, agency_id)

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
