"""Request and response bodies of the agency directory and its administration."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AliasChoices, Field, StrictBool, field_validator

from app.auth.scopes import Role, Scope
from app.core.enums import AgencyKind, Purpose
from app.core.examples import AGENCY, CLIENT, example
from app.core.types import CountryCode, InputModel, ReadModel, ShortText, Slug, unique_items


class AgencyCreate(InputModel):
    model_config = example(
        {k: v for k, v in AGENCY.items() if k not in ("id", "created_at", "version")}
    )

    slug: Slug = Field(examples=["mae-sot-rescue-ngo"])
    name: ShortText = Field(examples=["Border Rescue Network (Mae Sot)"])
    kind: AgencyKind
    country: CountryCode = Field(examples=["TH"])
    roles: Annotated[list[Role], Field(min_length=1, max_length=6)]
    services: Annotated[list[Purpose], Field(max_length=11)] = []
    accepting_referrals: StrictBool = True

    _unique = field_validator("roles", "services")(unique_items)


class AgencyUpdate(InputModel):
    model_config = example({"accepting_referrals": False, "services": ["shelter", "psychosocial"]})

    name: ShortText | None = None
    kind: AgencyKind | None = None
    country: CountryCode | None = None
    roles: Annotated[list[Role], Field(min_length=1, max_length=6)] | None = None
    services: Annotated[list[Purpose], Field(max_length=11)] | None = None
    accepting_referrals: StrictBool | None = None

    _unique = field_validator("roles", "services")(unique_items)


class AgencyRead(ReadModel):
    model_config = example(AGENCY)

    id: uuid.UUID
    slug: str
    name: str
    kind: AgencyKind
    country: str
    roles: list[Role]
    services: list[Purpose]
    accepting_referrals: bool
    created_at: datetime
    version: int


class ClientCreate(InputModel):
    model_config = example(
        {"name": "Case management system", "scopes": ["victims:read", "victims:write"]}
    )

    name: ShortText = Field(examples=["Case management system"])
    scopes: Annotated[list[Scope], Field(max_length=20)] | None = Field(
        default=None,
        description="Defaults to every scope the agency's roles allow.",
    )


class ClientRead(ReadModel):
    model_config = example(CLIENT)

    client_id: uuid.UUID = Field(validation_alias=AliasChoices("id", "client_id"))
    agency_id: uuid.UUID
    name: str
    scopes: list[Scope]
    created_at: datetime
    revoked_at: datetime | None


class ClientCreated(ClientRead):
    model_config = example({**CLIENT, "client_secret": "sk_example_0000000000000000000000000000"})

    client_secret: str = Field(description="Shown only in this response; store it safely.")
