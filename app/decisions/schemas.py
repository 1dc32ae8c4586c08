"""Identification decision bodies. Decisions carry no identity fields at all."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from app.core.enums import DecisionOutcome, DecisionStage, ExploitationType
from app.core.examples import (
    DECISION,
    DECISION_ID,
    NGO_ID,
    RECONSIDERATION_ID,
    REFERRAL_ID,
    example,
)
from app.core.types import InputModel, LongText, MediumText, UtcInstant, unique_items


class DecisionCreate(InputModel):
    model_config = example(
        {
            k: DECISION[k]
            for k in (
                "stage",
                "outcome",
                "exploitation_types",
                "legal_basis",
                "reasons",
                "decided_at",
                "supersedes_id",
            )
        }
    )

    stage: DecisionStage = Field(examples=["final"])
    outcome: DecisionOutcome = Field(examples=["positive"])
    exploitation_types: Annotated[list[ExploitationType], Field(max_length=10)] = Field(
        default=[], examples=[["forced_criminality"]]
    )
    legal_basis: MediumText | None = Field(
        default=None,
        description="Required for final decisions.",
        examples=["Anti-Trafficking in Persons Act B.E. 2551, section 6"],
    )
    reasons: LongText = Field(
        min_length=1,
        description="Why: required, never identity.",
        examples=["Indicators of deception, control of movement and forced criminality."],
    )
    decided_at: UtcInstant | None = Field(default=None, description="Defaults to now.")
    supersedes_id: uuid.UUID | None = Field(
        default=None, description="The decision this one replaces (a reconsideration)."
    )

    _unique = field_validator("exploitation_types")(unique_items)


class DecisionRead(BaseModel):
    model_config = example(DECISION)

    id: uuid.UUID
    referral_id: uuid.UUID
    victim_id: uuid.UUID
    victim_case_number: str
    victim_nationality: str | None
    stage: DecisionStage
    outcome: DecisionOutcome
    exploitation_types: list[ExploitationType]
    legal_basis: str | None
    reasons: str
    decided_by_agency_id: uuid.UUID
    decided_at: datetime
    supersedes_id: uuid.UUID | None
    created_at: datetime
    version: int


class ReconsiderationCreate(InputModel):
    model_config = example(
        {"reasons": "New evidence of debt bondage from the interpreter's notes."}
    )

    reasons: LongText = Field(
        min_length=1, examples=["New evidence of debt bondage from the interpreter's notes."]
    )


class ReconsiderationRead(BaseModel):
    model_config = example(
        {
            "id": RECONSIDERATION_ID,
            "decision_id": DECISION_ID,
            "referral_id": REFERRAL_ID,
            "requested_by_agency_id": NGO_ID,
            "reasons": "New evidence of debt bondage from the interpreter's notes.",
            "created_at": "2026-11-28T09:00:00Z",
        }
    )

    id: uuid.UUID
    decision_id: uuid.UUID
    referral_id: uuid.UUID
    requested_by_agency_id: uuid.UUID
    reasons: str
    created_at: datetime
