"""The decision tests use the referral tests' partners and helpers."""

from tests.referrals.conftest import ca, immigration, shelter

__all__ = ["ca", "immigration", "shelter"]
