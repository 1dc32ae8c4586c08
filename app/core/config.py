"""Settings from the environment (prefix ``REFERRALS_``)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDERS = {"", "changeme", "change-me", "secret", "placeholder", "xxx"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REFERRALS_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str = ""
    db_pool_size: int = Field(default=40, ge=1, le=500)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)

    # Tokens
    issuer: str = "urn:referral-api"
    audience: str = "urn:referral-api:v1"
    token_lifetime_seconds: int = Field(default=900, ge=60, le=900)
    # PEM of the RSA private key that signs access tokens. In development it is
    # generated on first start and kept under data_dir.
    jwt_private_key: str = ""
    jwt_private_key_file: Path | None = None

    # Client-secret hashing (scrypt) cost; 2**14 is the interactive-login default.
    secret_hash_n: int = 2**14

    log_level: str = "INFO"
    public_base_url: str = "http://127.0.0.1:8000"

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'referrals.db'}"
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @cached_property
    def signing_key_pem(self) -> str:
        """The token-signing key; refuses to run outside development without a real one."""
        if self.jwt_private_key.strip().lower() not in PLACEHOLDERS:
            return self.jwt_private_key
        if self.jwt_private_key_file is not None:
            return self.jwt_private_key_file.read_text()
        if self.environment != "development":
            raise ConfigurationError(
                "REFERRALS_JWT_PRIVATE_KEY (or REFERRALS_JWT_PRIVATE_KEY_FILE) must hold a real "
                f"RSA private key when REFERRALS_ENVIRONMENT={self.environment}; refusing to "
                "start with a missing or placeholder key."
            )
        from app.auth.keys import load_or_create_dev_key

        return load_or_create_dev_key(self.data_dir / "jwt-signing-key.pem")

    def check_production_secrets(self) -> None:
        """Fail fast at start-up rather than at the first request."""
        _ = self.signing_key_pem


class ConfigurationError(RuntimeError):
    """The service cannot start with these settings."""


def get_settings() -> Settings:
    return Settings()
