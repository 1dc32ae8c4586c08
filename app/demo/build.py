"""``referral-api demo``: a fresh database with synthetic agencies, clients and an intake of
260 people taken through the whole NRM workflow, through the app's own services."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from app.agencies import service as agencies
from app.agencies.schemas import AgencyCreate, ClientCreate
from app.auth.principal import Caller
from app.core.config import Settings
from app.core.crypto import Keyring
from app.core.db import Database, utcnow
from app.decisions import service as decisions
from app.decisions.schemas import DecisionCreate
from app.demo.data import (
    AGENCIES,
    CHILDREN,
    GIVEN_NAMES,
    LANGUAGES,
    NATIONALITY_COUNTS,
    NEGATIVE_FINAL,
)
from app.models import Agency, Referral
from app.operations import service as operations
from app.operations.schemas import Location, OperationCreate
from app.referrals import service as referrals
from app.referrals.schemas import ReferralCreate, TransitionCreate
from app.victims import consents
from app.victims import service as victims
from app.victims.schemas import ConsentCreate, VictimBatchCreate, VictimCreate

Progress = Callable[[str], None]


def _stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class DemoCredentials:
    slug: str
    name: str
    roles: list[str]
    client_id: str
    client_secret: str
    scopes: list[str]


def database_is_empty(database: Database) -> bool:
    with database.session(write=False) as session:
        return session.exec(select(Agency.id).limit(1)).first() is None


def build_demo(
    settings: Settings, *, progress: Progress = _stderr_progress
) -> list[DemoCredentials]:
    database = Database(settings)
    keyring = Keyring.from_text(settings.identity_keys_text)
    try:
        progress("creating demo agencies and API clients ...")
        with database.session() as session:
            callers, credentials = _agencies(session, settings)
        with database.session() as session:
            operation_id, people = _intake(session, callers, keyring, progress)
        _workflow(database, callers, operation_id, people, settings, progress)
    finally:
        database.dispose()
    return credentials


def _agencies(
    session: Session, settings: Settings
) -> tuple[dict[str, Caller], list[DemoCredentials]]:
    callers: dict[str, Caller] = {}
    credentials = []
    for spec in AGENCIES:
        agency = agencies.create_agency(
            session,
            AgencyCreate(
                slug=spec.slug,
                name=spec.name,
                kind=spec.kind,
                country=spec.country,
                roles=list(spec.roles),
                services=list(spec.services),
            ),
        )
        created = agencies.create_client(
            session, agency.id, ClientCreate(name="Demo client"), hash_cost=settings.secret_hash_n
        )
        callers[spec.slug] = Caller(created.client.id, agency.id, frozenset(created.client.scopes))
        credentials.append(
            DemoCredentials(
                slug=spec.slug,
                name=spec.name,
                roles=list(spec.roles),
                client_id=str(created.client.id),
                client_secret=created.secret,
                scopes=list(created.client.scopes),
            )
        )
    return callers, credentials


def _person(index: int, nationality: str) -> VictimCreate:
    age = 16 + index % 2 if index in CHILDREN else 19 + (index * 7) % 27
    data: dict[str, Any] = {
        "external_ref": f"BRN-2025-{index + 1:04d}",
        "sex": ("female", "male", "male", "female", "other")[index % 5],
        "age_estimate": age,
        "nationality": nationality,
        "languages": LANGUAGES[nationality],
        "exploitation_types": ["forced_criminality"]
        + (["forced_labour"] if index % 4 == 0 else []),
        "country_of_exploitation": "MM",
        "recruitment_method": (
            "false_job_offer",
            "social_media",
            "online_advertisement",
            "acquaintance",
        )[index % 4],
        "needs": ["shelter", "medical", "repatriation"] + (["interpretation"] if index % 3 else []),
        "identity": {
            "given_name": GIVEN_NAMES[index % len(GIVEN_NAMES)],
            "family_name": f"Sample-{index + 1:03d}",
            "aliases": [],
            "document_type": "passport",
            "document_number": f"DEMO{index + 1:06d}",
        },
    }
    return VictimCreate.model_validate(data)


def _intake(
    session: Session, callers: dict[str, Caller], keyring: Keyring, progress: Progress
) -> tuple[Any, list[Any]]:
    ngo = callers["demo-ngo"]
    operation = operations.create(
        session,
        ngo,
        OperationCreate(
            name="Myawaddy compound hand-over at Mae Sot (synthetic demo)",
            reference="DEMO-MST-2025-02",
            started_on=date(2025, 2, 20),
            ended_on=date(2025, 2, 24),
            location=Location(place="Mae Sot", region="Tak", country="TH"),
            country_of_exploitation="MM",
            handed_over_by="Border guard unit (synthetic)",
            participating_agency_ids=[
                callers[s].agency_id
                for s in ("demo-authority", "demo-shelter", "demo-clinic", "demo-interpreters")
            ],
            notes="Synthetic demo data: no real person is described here.",
        ),
    )
    nationalities = [code for code, n in NATIONALITY_COUNTS.items() for _ in range(n)]
    batch = VictimBatchCreate(victims=[_person(i, n) for i, n in enumerate(nationalities)])
    progress(f"registering {len(batch.victims)} people in one intake ...")
    people, _ = victims.register_intake(session, ngo, operation.id, batch, keyring)
    return operation.id, people


def _workflow(
    database: Database,
    callers: dict[str, Caller],
    operation_id: Any,
    people: list[Any],
    settings: Settings,
    progress: Progress,
) -> None:
    ngo, authority = callers["demo-ngo"], callers["demo-authority"]
    days = settings.identification_decision_days
    given = utcnow() - timedelta(days=3)
    total = len(people)
    for start in range(0, total, 50):
        with database.session() as session:
            for index in range(start, min(start + 50, total)):
                victim = people[index]
                if not victim.is_child:
                    consents.record(
                        session,
                        ngo,
                        victim.id,
                        ConsentCreate(
                            purposes=["identification", "services", "data_sharing"],
                            method="written",
                            language=victim.languages[0],
                            interpreter_used=True,
                            given_at=given,
                        ),
                    )
                referral = referrals.create(
                    session,
                    ngo,
                    ReferralCreate(
                        victim_id=victim.id,
                        to_agency_id=authority.agency_id,
                        purpose="identification",
                        urgency="urgent",
                        share_identity=True,
                    ),
                    decision_days=days,
                )
                _advance(session, authority, referral, ["received", "accepted"])
                _decide(session, authority, referral, "preliminary", "positive")
                outcome = "negative" if index in NEGATIVE_FINAL else "positive"
                _decide(session, authority, referral, "final", outcome)
                _services(session, callers, victim, index, days)
        progress(f"  referred and decided {min(start + 50, total)}/{total}")


def _advance(session: Session, who: Caller, referral: Referral, steps: list[str]) -> None:
    for step in steps:
        reason = "Demo: no capacity this week" if step == "rejected" else None
        if step == "cancelled":
            reason = "Demo: placed with family"
        referrals.transition(
            session,
            who,
            referral.id,
            TransitionCreate(to=step, reason=reason),
            f'"{referral.version}"',
        )


def _decide(
    session: Session, authority: Caller, referral: Referral, stage: str, outcome: str
) -> None:
    decisions.issue(
        session,
        authority,
        referral.id,
        DecisionCreate(
            stage=stage,
            outcome=outcome,
            exploitation_types=["forced_criminality"],
            legal_basis="Anti-trafficking law (synthetic citation), section 6",
            reasons=(
                "Multidisciplinary team interview: deception in recruitment, confiscated "
                "documents, forced online fraud under threat."
                if outcome == "positive"
                else "Indicators of trafficking not established at interview (synthetic)."
            ),
            decided_at=datetime.now().astimezone() - timedelta(hours=1),
        ),
    )


# Service referrals in various states, so every status appears in the demo.
_SHELTER_PATHS = [
    ["received", "accepted", "in_progress"],
    ["received", "accepted"],
    ["received"],
    [],
    ["received", "accepted", "completed"],
    ["rejected"],
    ["cancelled"],
]


def _services(
    session: Session, callers: dict[str, Caller], victim: Any, index: int, days: int
) -> None:
    ngo = callers["demo-ngo"]
    plan: list[tuple[str, str, list[str]]] = []
    if index % 4 == 0:
        plan.append(("demo-shelter", "shelter", _SHELTER_PATHS[(index // 4) % len(_SHELTER_PATHS)]))
    if index % 5 == 0:
        plan.append(("demo-clinic", "medical", ["received", "accepted", "completed"]))
    if index % 9 == 0:
        plan.append(("demo-interpreters", "interpretation", ["accepted", "in_progress"]))
    embassy = {"PH": "demo-embassy-ph", "KE": "demo-embassy-ke"}.get(victim.nationality)
    if embassy and index % 2 == 0:
        plan.append((embassy, "repatriation", ["received"]))
    for slug, purpose, steps in plan:
        referral = referrals.create(
            session,
            ngo,
            ReferralCreate(
                victim_id=victim.id,
                to_agency_id=callers[slug].agency_id,
                purpose=purpose,
                urgency="routine",
                share_identity=True,
            ),
            decision_days=days,
        )
        for step in steps:
            who = ngo if step == "cancelled" else callers[slug]
            _advance(session, who, referral, [step])
