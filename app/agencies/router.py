"""HTTP routes of the agency directory and its administration."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from app.agencies import service
from app.agencies.errors import AgencyNotFound, AgencySlugTaken, ClientNotFound, ScopeNotAllowed
from app.agencies.schemas import (
    AgencyCreate,
    AgencyRead,
    AgencyUpdate,
    ClientCreate,
    ClientCreated,
    ClientRead,
)
from app.auth.deps import Admin, AgenciesRead
from app.core.concurrency import IfMatchHeader, set_etag
from app.core.deps import Db
from app.core.errors import BadRequest, PreconditionFailed, PreconditionRequired
from app.core.idempotency import IdempotencyKeyHeader, Outcome
from app.core.pagination import CursorParam, InvalidCursor, LimitParam, Page, set_next_link
from app.core.requests import finish_create, idempotent
from app.core.responses import problems

router = APIRouter(prefix="/agencies", tags=["agencies"])
clients_router = APIRouter(prefix="/clients", tags=["agencies"])


@router.get("", responses=problems(InvalidCursor))
def list_agencies(
    request: Request,
    response: Response,
    caller: AgenciesRead,
    db: Db,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[AgencyRead]:
    """List the agency directory (to pick a referral recipient)."""
    with db.begin(caller, write=False) as session:
        rows, next_cursor = service.list_agencies(session, limit=limit, cursor=cursor)
        items = [AgencyRead.model_validate(r) for r in rows]
    set_next_link(request, response, next_cursor)
    return Page[AgencyRead](items=items, next_cursor=next_cursor)


@router.get("/{agency_id}", responses=problems(AgencyNotFound))
def get_agency(
    agency_id: uuid.UUID, response: Response, caller: AgenciesRead, db: Db
) -> AgencyRead:
    """Get one agency of the directory."""
    with db.begin(caller, write=False) as session:
        agency = service.get_agency(session, agency_id)
        result = AgencyRead.model_validate(agency)
    set_etag(response, result.version)
    return result


@router.post("", status_code=201, responses=problems(AgencySlugTaken))
def create_agency(
    request: Request,
    data: AgencyCreate,
    response: Response,
    caller: Admin,
    db: Db,
    idempotency_key: IdempotencyKeyHeader = None,
) -> AgencyRead:
    """Register a partner agency (platform administrators)."""
    with db.begin(caller) as session:

        def work() -> Outcome:
            return Outcome(201, [service.create_agency(session, data).id])

        outcome = idempotent(request, session, caller, idempotency_key, data, work)
        result = AgencyRead.model_validate(service.get_agency(session, outcome.resource_ids[0]))
    set_etag(response, result.version)
    finish_create(response, outcome, f"/v1/agencies/{result.id}")
    return result


@router.patch(
    "/{agency_id}",
    responses=problems(AgencyNotFound, BadRequest, PreconditionFailed, PreconditionRequired),
)
def update_agency(
    agency_id: uuid.UUID,
    data: AgencyUpdate,
    response: Response,
    caller: Admin,
    db: Db,
    if_match: IfMatchHeader = None,
) -> AgencyRead:
    """Change an agency's roles, services or capacity (If-Match required)."""
    with db.begin(caller) as session:
        agency = service.update_agency(session, agency_id, data, if_match)
        result = AgencyRead.model_validate(agency)
    set_etag(response, result.version)
    return result


@router.post(
    "/{agency_id}/clients", status_code=201, responses=problems(AgencyNotFound, ScopeNotAllowed)
)
def create_client(
    request: Request, agency_id: uuid.UUID, data: ClientCreate, caller: Admin, db: Db
) -> ClientCreated:
    """Create an API client; the response holds its secret, shown only this once."""
    cost = request.app.state.settings.secret_hash_n
    with db.begin(caller) as session:
        created = service.create_client(session, agency_id, data, hash_cost=cost)
        read = ClientRead.model_validate(created.client)
    return ClientCreated(**read.model_dump(), client_secret=created.secret)


@router.get("/{agency_id}/clients", responses=problems(AgencyNotFound, InvalidCursor))
def list_clients(
    request: Request,
    response: Response,
    agency_id: uuid.UUID,
    caller: Admin,
    db: Db,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[ClientRead]:
    """List an agency's API clients (never their secrets)."""
    with db.begin(caller, write=False) as session:
        rows, next_cursor = service.list_clients(session, agency_id, limit=limit, cursor=cursor)
        items = [ClientRead.model_validate(r) for r in rows]
    set_next_link(request, response, next_cursor)
    return Page[ClientRead](items=items, next_cursor=next_cursor)


@clients_router.delete("/{client_id}", status_code=204, responses=problems(ClientNotFound))
def revoke_client(client_id: uuid.UUID, caller: Admin, db: Db) -> Response:
    """Revoke an API client; its tokens stop working at once."""
    with db.begin(caller) as session:
        service.revoke_client(session, client_id)
    return Response(status_code=204)
