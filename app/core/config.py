"""Settings from the environment (prefix ``REFERRALS_``)."""

from __future__ import annotations

import os
from collections.abc import Callable
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
    # PostgreSQL isolation level. Conflicts it raises (serialization failures, deadlocks)
    # are retried up to db_conflict_retries times, then answered 503 with Retry-After.
    database_isolation: Literal["read_committed", "repeatable_read", "serializable"] = (
        "read_committed"
    )
    db_conflict_retries: int = Field(default=3, ge=0, le=10)
    # Requests in progress in this process beyond which new ones get 503 at once (G16):
    # a queue longer than this only turns into timeouts on the client side.
    max_requests_in_flight: int = Field(default=128, ge=1)

    # Tokens
    issuer: str = "urn:referral-api"
    audience: str = "urn:referral-api:v1"
    token_lifetime_seconds: int = Field(default=900, ge=60, le=900)
    # PEM of the RSA private key that signs access tokens. In development it is
    # generated on first start and kept under data_dir.
    jwt_private_key: str = ""
    jwt_private_key_file: Path | None = None

    # Shared state for rate limits: Redis when set (redis://host:port/db), else the database.
    redis_url: str = ""
    # API requests per client and window before 429 (G15).
    api_rate_limit: int = Field(default=1200, ge=1)
    api_rate_window_seconds: int = Field(default=60, ge=1)
    # Failed token requests per client id and window before the token endpoint answers 429.
    token_failure_limit: int = Field(default=10, ge=1)
    token_failure_window_seconds: int = Field(default=300, ge=10)

    # Client-secret hashing (scrypt) cost; 2**14 is the interactive-login default.
    secret_hash_n: int = 2**14

    # AES-256-GCM keys for identity fields: "1:<base64 32 bytes>,2:<...>"; the highest
    # version encrypts, every listed version decrypts (rotation). Generated in development.
    identity_keys: str = ""
    # Key for keyed fingerprints (idempotency bodies): base64, at least 32 bytes.
    hmac_key: str = ""

    idempotency_ttl_hours: int = Field(default=48, ge=24)

    # Days a competent authority has to decide an identification referral.
    identification_decision_days: int = Field(default=15, ge=1, le=365)

    # Statistics: cells under this count are suppressed.
    statistics_min_cell: int = Field(default=5, ge=2)

    # Webhooks: targets must be https and resolve to public addresses unless this is set
    # (development and tests with a local receiver only).
    webhook_allow_insecure_targets: bool = False
    webhook_retry_base_seconds: float = Field(default=5.0, gt=0)
    webhook_retry_max_seconds: float = Field(default=6 * 3600, gt=0)
    webhook_give_up_hours: float = Field(default=72, gt=0)
    webhook_timeout_seconds: float = Field(default=10, gt=0)
    # The delivery worker inside the API process (single-machine setups). Run
    # `referral-api worker` instead and set this false when scaling out.
    inprocess_worker: bool = True
    worker_poll_seconds: float = Field(default=1.0, gt=0)

    log_level: str = "INFO"
    # Fault injection for concurrency tests: sleep up to this long inside every write
    # transaction, just before commit, so that transactions commit out of order.
    fault_commit_delay_ms: int = Field(default=0, ge=0, le=5000)
    # Test harnesses only: let unexpected exceptions propagate (with their traceback).
    reraise_unexpected_errors: bool = False
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
        if self.jwt_private_key_file is not None and _is_placeholder(self.jwt_private_key):
            return self.jwt_private_key_file.read_text()
        from app.auth.keys import generate_private_key_pem

        return self._secret(
            self.jwt_private_key,
            "REFERRALS_JWT_PRIVATE_KEY (or REFERRALS_JWT_PRIVATE_KEY_FILE)",
            "jwt-signing-key.pem",
            generate_private_key_pem,
        )

    @cached_property
    def identity_keys_text(self) -> str:
        from app.core.crypto import generate_keyring_text

        return self._secret(
            self.identity_keys, "REFERRALS_IDENTITY_KEYS", "identity-keys", generate_keyring_text
        )

    @cached_property
    def hmac_key_text(self) -> str:
        from app.core.crypto import generate_key_text

        return self._secret(self.hmac_key, "REFERRALS_HMAC_KEY", "hmac-key", generate_key_text)

    def _secret(self, value: str, variable: str, filename: str, generate: Callable[[], str]) -> str:
        if not _is_placeholder(value):
            return value
        if self.environment != "development":
            raise ConfigurationError(
                f"{variable} must be set to a real secret when "
                f"REFERRALS_ENVIRONMENT={self.environment}; refusing to start with a missing "
                "or placeholder value."
            )
        return load_or_create_secret_file(self.data_dir / filename, generate)

    def check_production_secrets(self) -> None:
        """Fail fast at start-up rather than at the first request."""
        _ = self.signing_key_pem, self.identity_keys_text, self.hmac_key_text


def _is_placeholder(value: str) -> bool:
    return value.strip().lower() in PLACEHOLDERS


def load_or_create_secret_file(path: Path, generate: Callable[[], str]) -> str:
    """Development only: keep a generated secret under ./data so it survives restarts."""
    if path.exists():
        return path.read_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write a 0600 temp file then link it in place: a concurrent starter never reads half,
    # and whoever links first wins.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(generate())
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text()


class ConfigurationError(RuntimeError):
    """The service cannot start with these settings."""


def get_settings() -> Settings:
    return Settings()
