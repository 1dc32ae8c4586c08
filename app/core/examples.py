"""Synthetic examples for the OpenAPI document.

Every value here is invented: names, document numbers, phone numbers and ids belong to no
one. The same few ids recur so that an example read after an example create tells one
consistent story (Swagger UI and ReDoc show these, and partners copy them).
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

NGO_ID = "3f0c8b1e-5a2d-4c7e-9b61-0d4e2a7c9f13"
AUTHORITY_ID = "8a6d2f4b-1c3e-4e5a-b7d9-2f1a0c6e8b42"
SHELTER_ID = "c41e7a92-6b3d-4f08-a5e1-9d2c7b4f0a66"
CLIENT_ID = "5b9e3c71-0f2a-4d6b-8e4c-1a7f3d9b2c05"
OPERATION_ID = "e2b7d4a0-3c1f-4a9e-b6d8-5f0c2e7a1b39"
VICTIM_ID = "7d1e6a8c-2f0b-4b6e-9c51-3f7a2b9d0e14"
CONSENT_ID = "9c3a5e1f-7b2d-4e8a-a0c6-4d1f8b3e2a57"
REFERRAL_ID = "1a8f4c2e-9d7b-4b3a-8e5f-6c0d2a9b7e31"
DECISION_ID = "b5d2e9a7-4c1f-4e6b-9a3d-7e8f0c1b2d48"
RECONSIDERATION_ID = "f06c1b8d-2e4a-4d9f-b3c7-8a5e1d2f9c60"
EVENT_ID = "0e7b3d9a-5f2c-4a1e-8d6b-9c4f1e3a7b52"
WEBHOOK_ID = "d8a1f5c3-7e9b-4c2d-a6f0-3b2e9d1c5a74"
DELIVERY_ID = "6f2d8b4e-1a9c-4e7f-b5d3-0c8a2f6e9b17"
AUDIT_ID = "4e9c1a7f-3b5d-4f2e-9c8a-6d1b0e4f7a83"

CREATED_AT = "2026-11-20T08:15:00Z"
UPDATED_AT = "2026-11-21T10:40:00Z"
CURSOR = "WyJ2aWN0aW0iLFt7InQiOiIyMDI2LTExLTIwVDA4OjE1OjAwKzAwOjAwIn1dXQ"
HASH = "9f2c4e6a8b1d3f5a7c9e0b2d4f6a8c1e3b5d7f9a0c2e4b6d8f1a3c5e7b9d0f2a"

LOCATION = {"place": "Mae Sot", "region": "Tak", "country": "TH"}

OPERATION: dict[str, Any] = {
    "id": OPERATION_ID,
    "reference": "MST-2026-014",
    "name": "Myawaddy compound hand-over (synthetic)",
    "started_on": "2026-11-20",
    "ended_on": None,
    "location": LOCATION,
    "country_of_exploitation": "MM",
    "handed_over_by": "Border guard unit",
    "participating_agency_ids": [SHELTER_ID],
    "notes": "Hand-over at the bridge; 19 nationalities; interpreters requested.",
    "lead_agency_id": NGO_ID,
    "created_at": CREATED_AT,
    "updated_at": UPDATED_AT,
    "version": 2,
}

CONSENT = {
    "id": CONSENT_ID,
    "victim_id": VICTIM_ID,
    "purposes": ["identification", "services", "data_sharing"],
    "method": "written",
    "language": "tl",
    "interpreter_used": True,
    "given_at": "2026-11-20T09:30:00Z",
    "recorded_by_agency_id": NGO_ID,
    "created_at": CREATED_AT,
    "withdrawn_at": None,
    "active": True,
}

# What a partner sends about a person and reads back unchanged.
_VICTIM_FACTS: dict[str, Any] = {
    "sex": "female",
    "age_estimate": 24,
    "nationality": "PH",
    "languages": ["tl", "en"],
    "exploitation_types": ["forced_criminality"],
    "country_of_exploitation": "MM",
    "recruitment_method": "false_job_offer",
    "needs": ["shelter", "medical", "repatriation"],
}

VICTIM_INPUT: dict[str, Any] = {
    **_VICTIM_FACTS,
    "identity": {
        "given_name": "Maria",
        "family_name": "Dela Cruz-Example",
        "aliases": [],
        "phone": "+63 900 000 0000",
        "document_type": "passport",
        "document_number": "P0000000A",
    },
    "date_of_birth": "2002-03-14",
    "external_ref": "NGO-CASE-000123",
    "rescue_operation_id": OPERATION_ID,
}

VICTIM = {
    "id": VICTIM_ID,
    "case_number": "V-7K3M-9QXD",
    "external_ref": "NGO-CASE-000123",
    "registered_by_agency_id": NGO_ID,
    "rescue_operation_id": OPERATION_ID,
    **_VICTIM_FACTS,
    "age_band": "24-26",
    "is_child": False,
    "identification_status": "presumed",
    "consents": [CONSENT],
    "identity_redacted": False,
    "identity": VICTIM_INPUT["identity"],
    "date_of_birth": "2002-03-14",
    "erased_at": None,
    "created_at": CREATED_AT,
    "updated_at": UPDATED_AT,
    "version": 2,
}

REFERRAL = {
    "id": REFERRAL_ID,
    "reference": "R-4KQ7-M2XD",
    "victim_id": VICTIM_ID,
    "victim_case_number": "V-7K3M-9QXD",
    "from_agency_id": NGO_ID,
    "to_agency_id": AUTHORITY_ID,
    "purpose": "identification",
    "urgency": "urgent",
    "share_identity": True,
    "notes": "Interview with a Tagalog interpreter preferred.",
    "status": "accepted",
    "status_reason": None,
    "decision_due_at": "2026-12-05T08:15:00Z",
    "created_at": CREATED_AT,
    "updated_at": UPDATED_AT,
    "version": 3,
}

DECISION = {
    "id": DECISION_ID,
    "referral_id": REFERRAL_ID,
    "victim_id": VICTIM_ID,
    "victim_case_number": "V-7K3M-9QXD",
    "victim_nationality": "PH",
    "stage": "final",
    "outcome": "positive",
    "exploitation_types": ["forced_criminality"],
    "legal_basis": "Anti-Trafficking in Persons Act B.E. 2551, section 6",
    "reasons": "Indicators of deception, control of movement and forced criminality.",
    "decided_by_agency_id": AUTHORITY_ID,
    "decided_at": "2026-11-27T14:00:00Z",
    "supersedes_id": None,
    "created_at": "2026-11-27T14:00:05Z",
    "version": 1,
}

EVENT = {
    "id": EVENT_ID,
    "type": "referral.status_changed",
    "occurred_at": UPDATED_AT,
    "resource_type": "referral",
    "resource_id": REFERRAL_ID,
    "data": {"from": "received", "to": "accepted", "version": 3},
}

WEBHOOK = {
    "id": WEBHOOK_ID,
    "url": "https://cms.partner.example/hooks/nrm",
    "event_types": ["referral.created", "referral.status_changed", "decision.issued"],
    "description": "Case management sync",
    "status": "active",
    "disabled_reason": None,
    "created_at": CREATED_AT,
}

CLIENT = {
    "client_id": CLIENT_ID,
    "agency_id": NGO_ID,
    "name": "Case management system",
    "scopes": ["victims:read", "victims:write", "referrals:read", "referrals:write"],
    "created_at": CREATED_AT,
    "revoked_at": None,
}

AGENCY = {
    "id": NGO_ID,
    "slug": "mae-sot-rescue-ngo",
    "name": "Border Rescue Network (Mae Sot)",
    "kind": "ngo",
    "country": "TH",
    "roles": ["first_responder", "service_provider"],
    "services": ["shelter", "psychosocial", "interpretation"],
    "accepting_referrals": True,
    "created_at": CREATED_AT,
    "version": 1,
}


def example(value: dict[str, Any]) -> ConfigDict:
    """``model_config`` that shows ``value`` as the schema's example (merged with the base
    model's config by pydantic)."""
    return ConfigDict(json_schema_extra={"examples": [value]})


def schema_example(model: Any) -> Any:
    """The first example a model declares, or None."""
    extra = model.model_config.get("json_schema_extra")
    if isinstance(extra, dict) and extra.get("examples"):
        return extra["examples"][0]
    return None
