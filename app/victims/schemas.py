"""Victim and consent bodies. The read schema is built per caller (identity or not)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, Strict, StrictBool, field_validator

from app.core.enums import (
    ConsentMethod,
    ConsentPurpose,
    DocumentType,
    ExploitationType,
    IdentificationStatus,
    Purpose,
    RecruitmentMethod,
    Sex,
)
from app.core.examples import CONSENT, VICTIM, VICTIM_INPUT, example
from app.core.types import (
    CountryCode,
    InputModel,
    IsoDate,
    LanguageCode,
    RefText,
    ShortText,
    UtcInstant,
    unique_items,
)

MAX_BATCH = 1000

# Strict: JSON true is not the age 1 (which would make an adult a child).
Age = Annotated[int, Strict(), Field(ge=0, le=120)]


class Identity(InputModel):
    """Identity fields: encrypted at rest, shown only to callers who may see them."""

    model_config = example(VICTIM_INPUT["identity"])

    given_name: ShortText | None = Field(default=None, examples=["Maria"])
    family_name: ShortText | None = Field(default=None, examples=["Santos"])
    aliases: Annotated[list[ShortText], Field(max_length=20)] = []
    phone: Annotated[str, Field(max_length=32, pattern=r"^\+?[0-9 ()-]{3,32}$")] | None = Field(
        default=None, examples=["+63 900 000 0000"]
    )
    document_type: DocumentType | None = None
    document_number: RefText | None = Field(default=None, examples=["P0000000A"])


class VictimFields(InputModel):
    sex: Sex
    age_estimate: Age | None = Field(default=None, examples=[24])
    date_of_birth: IsoDate | None = Field(
        default=None, description="Identity data: encrypted at rest, shown like identity."
    )
    nationality: CountryCode | None = Field(default=None, examples=["PH"])
    languages: Annotated[list[LanguageCode], Field(max_length=20)] = Field(
        default=[], examples=[["tl", "en"]]
    )
    exploitation_types: Annotated[list[ExploitationType], Field(max_length=10)] = Field(
        default=[], examples=[["forced_criminality"]]
    )
    country_of_exploitation: CountryCode | None = Field(default=None, examples=["MM"])
    recruitment_method: RecruitmentMethod | None = Field(default=None, examples=["false_job_offer"])
    needs: Annotated[list[Purpose], Field(max_length=11)] = Field(
        default=[], examples=[["shelter", "medical", "repatriation"]]
    )
    identity: Identity | None = None

    _unique = field_validator("languages", "exploitation_types", "needs")(unique_items)

    @field_validator("date_of_birth")
    @classmethod
    def _not_in_future(cls, value: date | None) -> date | None:
        if value is not None and (value > date.today() or value.year < 1900):
            raise ValueError("must be a past date after 1900")
        return value


class VictimCreate(VictimFields):
    model_config = example(VICTIM_INPUT)

    external_ref: RefText | None = Field(
        default=None,
        description="Your own record id, unique per agency: a second create returns the "
        "existing record with 200.",
        examples=["NGO-CASE-000123"],
    )
    rescue_operation_id: uuid.UUID | None = None


class VictimUpdate(InputModel):
    """Fields to change; leave a field out to keep it. ``identity`` replaces the whole set."""

    model_config = example(
        {"needs": ["shelter", "medical", "legal_aid"], "languages": ["tl", "en", "th"]}
    )

    sex: Sex | None = None
    age_estimate: Age | None = None
    date_of_birth: IsoDate | None = None
    nationality: CountryCode | None = None
    languages: Annotated[list[LanguageCode], Field(max_length=20)] | None = None
    exploitation_types: Annotated[list[ExploitationType], Field(max_length=10)] | None = None
    country_of_exploitation: CountryCode | None = None
    recruitment_method: RecruitmentMethod | None = None
    needs: Annotated[list[Purpose], Field(max_length=11)] | None = None
    identity: Identity | None = None

    _unique = field_validator("languages", "exploitation_types", "needs")(unique_items)
    _dob = field_validator("date_of_birth")(VictimFields._not_in_future.__func__)  # type: ignore[attr-defined]


class VictimBatchCreate(InputModel):
    model_config = example(
        {
            "victims": [
                VICTIM_INPUT,
                {
                    "sex": "male",
                    "age_estimate": 16,
                    "nationality": "VN",
                    "exploitation_types": ["forced_criminality"],
                    "external_ref": "NGO-CASE-000124",
                },
            ]
        }
    )

    victims: Annotated[list[VictimCreate], Field(min_length=1, max_length=MAX_BATCH)]


class ConsentCreate(InputModel):
    model_config = example(
        {k: CONSENT[k] for k in ("purposes", "method", "language", "interpreter_used", "given_at")}
    )

    purposes: Annotated[list[ConsentPurpose], Field(min_length=1, max_length=4)] = Field(
        examples=[["identification", "services", "data_sharing"]]
    )
    method: ConsentMethod = Field(examples=["written"])
    language: LanguageCode | None = Field(default=None, examples=["tl"])
    interpreter_used: StrictBool = False
    given_at: UtcInstant = Field(examples=["2026-11-28T09:30:00Z"])

    _unique = field_validator("purposes")(unique_items)


class ConsentWithdrawalCreate(InputModel):
    model_config = example({"withdrawn_at": "2026-11-25T16:00:00Z"})

    withdrawn_at: UtcInstant | None = Field(
        default=None, description="When the person withdrew; defaults to now."
    )


class ConsentRead(BaseModel):
    model_config = example(CONSENT)

    id: uuid.UUID
    victim_id: uuid.UUID
    purposes: list[ConsentPurpose]
    method: ConsentMethod
    language: str | None
    interpreter_used: bool
    given_at: datetime
    recorded_by_agency_id: uuid.UUID
    created_at: datetime
    withdrawn_at: datetime | None
    active: bool


class IdentityRead(BaseModel):
    model_config = example(VICTIM_INPUT["identity"])

    given_name: str | None = None
    family_name: str | None = None
    aliases: list[str] = []
    phone: str | None = None
    document_type: DocumentType | None = None
    document_number: str | None = None


class VictimRead(BaseModel):
    model_config = example(VICTIM)

    id: uuid.UUID
    case_number: str = Field(examples=["V-7K3M-9QXD"])
    external_ref: str | None
    registered_by_agency_id: uuid.UUID
    rescue_operation_id: uuid.UUID | None
    sex: Sex
    age_estimate: int | None
    age_band: str | None = Field(description="CTDC band at registration, or null if unknown.")
    is_child: bool
    nationality: str | None
    languages: list[str]
    exploitation_types: list[ExploitationType]
    country_of_exploitation: str | None
    recruitment_method: RecruitmentMethod | None
    needs: list[Purpose]
    identification_status: IdentificationStatus
    consents: list[ConsentRead]
    identity_redacted: bool = Field(
        description="True when this caller may not see identity (whether or not any exists)."
    )
    identity: IdentityRead | None = Field(
        default=None, description="Present only when the caller may see identity."
    )
    date_of_birth: date | None = Field(
        default=None, description="Present only when the caller may see identity."
    )
    erased_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class VictimBatchRead(BaseModel):
    model_config = example({"items": [VICTIM]})

    items: list[VictimRead]
