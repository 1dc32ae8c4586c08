"""Agency directory and administration rules. Never commits: the unit of work does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from app.agencies.errors import AgencyNotFound, AgencySlugTaken, ClientNotFound, ScopeNotAllowed
from app.agencies.repository import AgencyRepository, ClientRepository
from app.agencies.schemas import AgencyCreate, AgencyUpdate, ClientCreate
from app.auth.scopes import allowed_scopes
from app.auth.secrets import hash_secret, new_client_secret
from app.core.concurrency import check_version
from app.core.db import utcnow
from app.core.errors import BadRequest
from app.core.pagination import paginate
from app.core.versioning import guarded_update
from app.models import Agency, ApiClient

AGENCY_CURSOR = "agencies"
CLIENT_CURSOR = "clients"


def get_agency(session: Session, agency_id: uuid.UUID) -> Agency:
    agency = AgencyRepository(session).get(agency_id)
    if agency is None:
        raise AgencyNotFound()
    return agency


def list_agencies(
    session: Session, *, limit: int, cursor: str | None
) -> tuple[list[Agency], str | None]:
    repo = AgencyRepository(session)
    return paginate(AGENCY_CURSOR, cursor, limit, lambda n, after: repo.page(limit=n, after=after))


def create_agency(session: Session, data: AgencyCreate) -> Agency:
    repo = AgencyRepository(session)
    if repo.get_by_slug(data.slug) is not None:
        raise AgencySlugTaken()
    agency = Agency(
        slug=data.slug,
        name=data.name,
        kind=data.kind.value,
        country=data.country,
        roles=[r.value for r in data.roles],
        services=[s.value for s in data.services],
        accepting_referrals=data.accepting_referrals,
    )
    repo.add(agency)
    return agency


def update_agency(
    session: Session, agency_id: uuid.UUID, data: AgencyUpdate, if_match: str | None
) -> Agency:
    agency = get_agency(session, agency_id)
    check_version(if_match, agency.version)
    changes = data.model_dump(exclude_unset=True, mode="json")
    if any(v is None for v in changes.values()):
        raise BadRequest("Fields cannot be set to null; leave them out to keep them.")
    guarded_update(session, agency, changes, agency.version)
    return agency


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    secret: str


def create_client(
    session: Session, agency_id: uuid.UUID, data: ClientCreate, *, hash_cost: int
) -> NewClient:
    agency = get_agency(session, agency_id)
    bound = allowed_scopes(agency.roles)
    requested = set(data.scopes) if data.scopes is not None else set(bound)
    outside = sorted(s.value for s in requested - bound)
    if outside:
        raise ScopeNotAllowed(
            f"The agency's roles do not allow: {' '.join(outside)}.",
            extra={"not_allowed": outside},
        )
    secret = new_client_secret()
    client = ApiClient(
        agency_id=agency.id,
        name=data.name,
        scopes=sorted(s.value for s in requested),
        secret_hash=hash_secret(secret, n=hash_cost),
    )
    ClientRepository(session).add(client)
    return NewClient(client=client, secret=secret)


def list_clients(
    session: Session, agency_id: uuid.UUID, *, limit: int, cursor: str | None
) -> tuple[list[ApiClient], str | None]:
    get_agency(session, agency_id)
    repo = ClientRepository(session)
    return paginate(
        CLIENT_CURSOR,
        cursor,
        limit,
        lambda n, after: repo.page_for_agency(agency_id, limit=n, after=after),
    )


def revoke_client(session: Session, client_id: uuid.UUID) -> None:
    client = ClientRepository(session).get(client_id)
    if client is None:
        raise ClientNotFound()
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        session.flush()
