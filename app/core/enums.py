"""Controlled vocabularies of API.md (values are part of the public contract)."""

from __future__ import annotations

from enum import StrEnum


class AgencyKind(StrEnum):
    """What kind of organisation an agency is."""

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


class Sex(StrEnum):
    """Sex as recorded at registration; `unknown` when not stated."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class ExploitationType(StrEnum):
    """HTCDS types, plus ``forced_criminality`` (scam-compound fraud; ours, no HTCDS code)."""

    FORCED_CRIMINALITY = "forced_criminality"
    FORCED_LABOUR = "forced_labour"
    SEXUAL_EXPLOITATION = "sexual_exploitation"
    DOMESTIC_SERVITUDE = "domestic_servitude"
    FORCED_BEGGING = "forced_begging"
    FORCED_MARRIAGE = "forced_marriage"
    ORGAN_REMOVAL = "organ_removal"
    CHILD_SOLDIERING = "child_soldiering"
    OTHER = "other"
    UNKNOWN = "unknown"


class RecruitmentMethod(StrEnum):
    """How the person was recruited (CTDC categories): a false job offer, an online
    advertisement, social media, an acquaintance, family, abduction, other or unknown."""

    FALSE_JOB_OFFER = "false_job_offer"
    ONLINE_ADVERTISEMENT = "online_advertisement"
    SOCIAL_MEDIA = "social_media"
    ACQUAINTANCE = "acquaintance"
    FAMILY = "family"
    ABDUCTION = "abduction"
    OTHER = "other"
    UNKNOWN = "unknown"


class IdentificationStatus(StrEnum):
    """Where the person stands in formal identification: `presumed` until a final
    decision, then `identified` (positive) or `not_identified` (negative)."""

    PRESUMED = "presumed"
    IDENTIFIED = "identified"
    NOT_IDENTIFIED = "not_identified"


class ConsentPurpose(StrEnum):
    """What a consent covers: `identification` (referral to the competent authority),
    `services` (any other referral), `data_sharing` (identity shared with a recipient),
    `statistics` (counted in published statistics)."""

    IDENTIFICATION = "identification"
    SERVICES = "services"
    DATA_SHARING = "data_sharing"
    STATISTICS = "statistics"


class ConsentMethod(StrEnum):
    """How consent was given: in writing, verbally (recorded by the worker), digitally, other."""

    WRITTEN = "written"
    VERBAL = "verbal"
    DIGITAL = "digital"
    OTHER = "other"


class DocumentType(StrEnum):
    """The kind of identity document whose number is recorded."""

    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    BIRTH_CERTIFICATE = "birth_certificate"
    RESIDENCE_PERMIT = "residence_permit"
    OTHER = "other"


class Urgency(StrEnum):
    """How soon the recipient should act: `routine`, `urgent` (days) or `emergency`
    (hours: safety or health at risk)."""

    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"


class ReferralStatus(StrEnum):
    """A referral's lifecycle: `requested` -> `received` -> `accepted` or `rejected`;
    `accepted` -> `in_progress` -> `completed`; the sender may `cancelled` an open one."""

    REQUESTED = "requested"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class DecisionStage(StrEnum):
    """`preliminary` (reasonable grounds) or `final` (conclusive) identification decision."""

    PRELIMINARY = "preliminary"
    FINAL = "final"


class DecisionOutcome(StrEnum):
    """`positive`: identified as a victim of trafficking; `negative`: not identified."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
