"""Controlled vocabularies of API.md (values are part of the public contract)."""

from __future__ import annotations

from enum import StrEnum


class AgencyKind(StrEnum):
    GOVERNMENT = "government"
    LAW_ENFORCEMENT = "law_enforcement"
    NGO = "ngo"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    EMBASSY = "embassy"
    OTHER = "other"


class Purpose(StrEnum):
    """Referral purposes; also the services an agency offers and a victim's needs."""

    IDENTIFICATION = "identification"
    SHELTER = "shelter"
    MEDICAL = "medical"
    PSYCHOSOCIAL = "psychosocial"
    LEGAL_AID = "legal_aid"
    INTERPRETATION = "interpretation"
    REPATRIATION = "repatriation"
    LIVELIHOOD = "livelihood"
    EDUCATION = "education"
    FAMILY_TRACING = "family_tracing"
    COMPENSATION = "compensation"
