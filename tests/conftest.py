"""Test harness: the real app over HTTP, real tokens, a database built by the migrations.

Each test makes its own agencies (unique slugs), so tests never see each other's rows
through the API; that is the need-to-know rule itself at work.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text

from app.agencies import service as agency_service
from app.agencies.schemas import AgencyCreate, ClientCreate
from app.auth.keys import generate_private_key_pem
from app.core.config import Settings
from app.core.crypto import generate_key_text, generate_keyring_text
from app.core.migrations import upgrade
from app.main import create_app
from tests.documented_statuses import pytest_sessionfinish  # noqa: F401 (a pytest hook)

TEST_DATABASE_URL = os.environ.get("REFERRALS_TEST_DATABASE_URL", "")


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def signing_key_pem() -> str:
    return generate_private_key_pem()


@pytest.fixture(scope="session")
def settings(data_dir: Path, signing_key_pem: str) -> Settings:
    url = TEST_DATABASE_URL or f"sqlite:///{data_dir / 'test.db'}"
    return Settings(
        environment="test",
        data_dir=data_dir,
        database_url=url,
        jwt_private_key=signing_key_pem,
        identity_keys=generate_keyring_text(),
        hmac_key=generate_key_text(),
        inprocess_worker=False,  # tests drive DeliveryWorker.run_once themselves
        log_level="INFO",
    )


@pytest.fixture(scope="session")
def migrated(settings: Settings) -> Settings:
    if not settings.is_sqlite:
        reset_postgres(settings.database_url)
    upgrade(settings.database_url)
    return settings


@pytest.fixture(scope="session")
def app(migrated: Settings) -> FastAPI:
    return create_app(migrated)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    raise_errors = app.state.settings.reraise_unexpected_errors
    with TestClient(app, raise_server_exceptions=raise_errors) as test_client:
        yield test_client


@dataclass
class Partner:
    """An agency with one API client and a live token, as a partner system has."""

    agency_id: uuid.UUID
    slug: str
    client_id: str
    client_secret: str
    scopes: list[str]
    token: str = ""
    roles: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def request_token(
    client: TestClient, client_id: str, client_secret: str, scope: str | None = None
) -> str:
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    response = client.post("/v1/oauth/token", data=form, auth=(client_id, client_secret))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


PartnerFactory = Callable[..., Partner]


@pytest.fixture
def make_partner(app: FastAPI, client: TestClient) -> PartnerFactory:
    """``make_partner(roles=[...], services=[...], scopes=None, kind="ngo")``."""

    def factory(
        roles: list[str],
        *,
        services: list[str] | None = None,
        scopes: list[str] | None = None,
        kind: str = "ngo",
        country: str = "TH",
        accepting_referrals: bool = True,
    ) -> Partner:
        slug = f"t-{uuid.uuid4().hex[:12]}"
        uow = app.state.uow
        with uow.begin(None) as session:
            agency = agency_service.create_agency(
                session,
                AgencyCreate(
                    slug=slug,
                    name=f"Test agency {slug}",
                    kind=kind,
                    country=country,
                    roles=roles,
                    services=services or [],
                    accepting_referrals=accepting_referrals,
                ),
            )
            created = agency_service.create_client(
                session,
                agency.id,
                ClientCreate(name="test client", scopes=scopes),
                hash_cost=app.state.settings.secret_hash_n,
            )
            partner = Partner(
                agency_id=agency.id,
                slug=slug,
                client_id=str(created.client.id),
                client_secret=created.secret,
                scopes=list(created.client.scopes),
                roles=roles,
            )
        partner.token = request_token(client, partner.client_id, partner.client_secret)
        return partner

    return factory


@pytest.fixture
def admin(make_partner: PartnerFactory) -> Partner:
    return make_partner(["platform_admin"], kind="government")


@pytest.fixture
def ngo(make_partner: PartnerFactory) -> Partner:
    """A first-responder NGO with every scope its role allows (identity included)."""
    return make_partner(["first_responder"])


@pytest.fixture
def outsider(make_partner: PartnerFactory) -> Partner:
    """Another agency holding every scope a partner can hold: it must still see nothing."""
    return make_partner(
        ["first_responder", "service_provider", "competent_authority", "decision_recipient",
         "oversight"],
        services=["shelter", "medical"],
        kind="government",
    )  # fmt: skip


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (SQLite file, or a second PostgreSQL database), for
    tests that must not touch the shared one: migrations down and up, key rotation."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_scratch"
    admin_engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin_engine.dispose()
    scratch = url.set(database=name).render_as_string(hide_password=False)
    reset_postgres(scratch)
    yield scratch
