"""Request-scoped access to the database without holding a connection across threads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.auth.principal import Caller
from app.auth.revocation import ensure_client_active
from app.core.db import Database


class UnitOfWork:
    """``with uow.begin(caller) as session:`` — one transaction, revocation checked first."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @contextmanager
    def begin(
        self, caller: Caller | None, *, write: bool = True, durable: bool = True
    ) -> Iterator[Session]:
        """``durable=False``: a read whose only writes are audit entries (see
        ``Database.session``); never for a request that changes anything else."""
        with self.database.session(write=write, durable=durable) as session:
            if caller is not None:
                ensure_client_active(session, caller)
            yield session


async def get_uow(request: Request) -> UnitOfWork:
    uow: UnitOfWork = request.app.state.uow
    return uow


Db = Annotated[UnitOfWork, Depends(get_uow)]
