"""Synthetic demo data modelled on the 2025 Myawaddy -> Mae Sot hand-over.

Everything here is invented: agency names carry "(demo)", people are numbered samples
with document numbers starting DEMO. No real person's data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoAgency:
    slug: str
    name: str
    kind: str
    country: str
    roles: tuple[str, ...]
    services: tuple[str, ...] = ()


AGENCIES = [
    DemoAgency("demo-ngo", "Border Rescue Network (demo)", "ngo", "TH", ("first_responder",)),
    DemoAgency(
        "demo-authority", "Anti-Trafficking Competent Authority (demo)", "government", "TH",
        ("competent_authority",),
    ),
    DemoAgency(
        "demo-shelter", "Safe Harbour Shelter (demo)", "ngo", "TH", ("service_provider",),
        ("shelter", "psychosocial", "livelihood"),
    ),
    DemoAgency(
        "demo-clinic", "Border Health Clinic (demo)", "ngo", "TH", ("service_provider",),
        ("medical", "psychosocial"),
    ),
    DemoAgency(
        "demo-interpreters", "Community Interpreters Service (demo)", "ngo", "TH",
        ("service_provider",), ("interpretation",),
    ),
    DemoAgency(
        "demo-embassy-ph", "Embassy of the Philippines (demo)", "embassy", "PH",
        ("service_provider",), ("repatriation",),
    ),
    DemoAgency(
        "demo-embassy-ke", "Embassy of Kenya (demo)", "embassy", "KE",
        ("service_provider",), ("repatriation",),
    ),
    DemoAgency(
        "demo-immigration", "Immigration Screening System (demo)", "government", "TH",
        ("decision_recipient",),
    ),
    DemoAgency(
        "demo-oversight", "National Referral Oversight Office (demo)", "government", "TH",
        ("oversight",),
    ),
    DemoAgency(
        "demo-admin", "Platform Administration (demo)", "government", "TH", ("platform_admin",)
    ),
]  # fmt: skip

# 19 nationalities, 260 people; roughly the mix reported for the 2025 hand-over.
NATIONALITY_COUNTS = {
    "PH": 42, "LA": 30, "KH": 25, "CN": 24, "LK": 20, "VN": 18, "ID": 16, "NP": 12, "IN": 12,
    "KE": 12, "BD": 9, "PK": 8, "UG": 7, "ET": 6, "NG": 5, "GH": 4, "TZ": 4, "MY": 3, "BR": 3,
}  # fmt: skip

LANGUAGES = {
    "PH": ["tl", "en"], "LA": ["lo"], "KH": ["km"], "CN": ["zh"], "LK": ["si", "ta"],
    "VN": ["vi"], "ID": ["id"], "NP": ["ne"], "IN": ["hi", "en"], "KE": ["sw", "en"],
    "BD": ["bn"], "PK": ["ur"], "UG": ["en", "lg"], "ET": ["am"], "NG": ["en", "yo"],
    "GH": ["en", "ak"], "TZ": ["sw"], "MY": ["ms"], "BR": ["pt"],
}  # fmt: skip

GIVEN_NAMES = ["Alex", "Sam", "Kim", "Lee", "Ari", "Noor", "Dana", "Remy", "Kai", "Jo"]

# People whose final decision is negative (by registration order).
NEGATIVE_FINAL = {57, 191}
# Ages 16-17 for a handful: they are children, referred without consent.
CHILDREN = {8, 33, 77, 120, 164, 230}
