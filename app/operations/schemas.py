"""Rescue operation bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, field_validator, model_validator

from app.core.examples import LOCATION, OPERATION, example
from app.core.types import (
    CountryCode,
    InputModel,
    IsoDate,
    LongText,
    ReferenceText,
    ShortText,
    unique_items,
)


class Location(InputModel):
    model_config = example(LOCATION)

    place: ShortText = Field(examples=["Mae Sot"])
    region: ShortText | None = Field(default=None, examples=["Tak"])
    country: CountryCode = Field(examples=["TH"])


class OperationCreate(InputModel):
    model_config = example(
        {
            k: OPERATION[k]
            for k in (
                "name",
                "reference",
                "started_on",
                "location",
                "country_of_exploitation",
                "handed_over_by",
                "participating_agency_ids",
                "notes",
            )
        }
    )

    name: ShortText = Field(examples=["Myawaddy compound hand-over (synthetic)"])
    reference: ReferenceText | None = Field(
        default=None,
        description="Your reference; one is generated when left out. Unique.",
        examples=["MST-2026-014"],
    )
    started_on: IsoDate = Field(examples=["2026-11-20"])
    ended_on: IsoDate | None = None
    location: Location
    country_of_exploitation: CountryCode | None = Field(default=None, examples=["MM"])
    handed_over_by: ShortText | None = Field(default=None, examples=["Border guard unit"])
    participating_agency_ids: Annotated[list[uuid.UUID], Field(max_length=50)] = []
    notes: LongText | None = Field(
        default=None, description="Operational notes only: never names or other identity."
    )

    _unique = field_validator("participating_agency_ids")(unique_items)

    @model_validator(mode="after")
    def _dates_in_order(self) -> OperationCreate:
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise ValueError("ended_on must not be before started_on")
        return self


class OperationUpdate(InputModel):
    model_config = example(
        {"ended_on": "2026-11-22", "notes": "All people transferred to shelters."}
    )

    name: ShortText | None = None
    started_on: IsoDate | None = None
    ended_on: IsoDate | None = None
    location: Location | None = None
    country_of_exploitation: CountryCode | None = None
    handed_over_by: ShortText | None = None
    participating_agency_ids: Annotated[list[uuid.UUID], Field(max_length=50)] | None = None
    notes: LongText | None = None

    _unique = field_validator("participating_agency_ids")(unique_items)


class LocationRead(BaseModel):
    model_config = example(LOCATION)

    place: str
    region: str | None
    country: str


class OperationRead(BaseModel):
    model_config = example(OPERATION)

    id: uuid.UUID
    reference: str
    name: str
    started_on: date
    ended_on: date | None
    location: LocationRead
    country_of_exploitation: str | None
    handed_over_by: str | None
    participating_agency_ids: list[uuid.UUID]
    notes: str | None
    lead_agency_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    version: int


class IdentificationCounts(BaseModel):
    model_config = example({"identified": 258, "not_identified": 2, "pending": 0})

    identified: int
    not_identified: int
    pending: int


class OperationSummary(BaseModel):
    model_config = example(
        {
            "victims_registered": 260,
            "referred": 260,
            "identification": {"identified": 258, "not_identified": 2, "pending": 0},
            "referrals_by_status": {"completed": 262, "in_progress": 31, "accepted": 12},
            "nationalities": {"PH": 41, "ID": 38, "VN": 27, "unknown": 3},
        }
    )

    victims_registered: int
    referred: int = Field(description="People with at least one referral.")
    identification: IdentificationCounts
    referrals_by_status: dict[str, int]
    nationalities: dict[str, int] = Field(
        description="ISO 3166-1 alpha-2 code (or 'unknown') → number of people."
    )
