"""Webhooks: Standard Webhooks signatures, retries with backoff, give-up and disabling,
SSRF refusals, tenancy, and delivery of events committed while no worker ran (G7)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from app.core.config import Settings
from app.core.db import utcnow
from app.main import create_app
from app.webhooks.targets import UnsafeWebhookTarget, check_target
from app.webhooks.worker import DeliveryWorker
from tests.conftest import Partner, PartnerFactory
from tests.events.receiver import receiver
from tests.factories import register_victim
from tests.referrals.conftest import adult_with_consent, refer


@pytest.fixture(scope="module")
def local_app(migrated: Settings) -> FastAPI:
    """The same database, with http://127.0.0.1 receivers allowed (development setting)."""
    settings = Settings(
        **(migrated.model_dump() | {"webhook_allow_insecure_targets": True,
                                    "webhook_retry_base_seconds": 1.0})
    )  # fmt: skip
    return create_app(settings)


@pytest.fixture
def local(local_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(local_app) as c:
        yield c


def worker_for(app: FastAPI) -> DeliveryWorker:
    state = app.state
    return DeliveryWorker(state.database, state.settings, state.keyring)


def subscribe(client: TestClient, who: Partner, url: str, types: list[str]) -> dict[str, Any]:
    r = client.post("/v1/webhooks", json={"url": url, "event_types": types}, headers=who.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_signed_delivery_verifies_with_standardwebhooks(
    local: TestClient, local_app: FastAPI, ngo: Partner
) -> None:
    with receiver() as hook:
        sub = subscribe(local, ngo, hook.url, ["victim.registered"])
        assert sub["secret"].startswith("whsec_")
        assert "secret" not in local.get("/v1/webhooks", headers=ngo.headers).text
        victim = register_victim(local, ngo)
        stats = worker_for(local_app).run_once()
        assert stats.queued == 1
        assert stats.succeeded == 1
        [request] = hook.requests
        payload = Webhook(sub["secret"]).verify(request.body, request.headers)
        assert payload["type"] == "victim.registered"
        assert payload["data"]["resource_id"] == victim["id"]
        assert "Testgiven" not in request.body.decode()
        with pytest.raises(Exception, match="signature"):
            Webhook("whsec_" + "A" * 32).verify(request.body, request.headers)
        tampered = request.body.replace(b"victim.registered", b"victim.erased")
        with pytest.raises(Exception, match="signature"):
            Webhook(sub["secret"]).verify(tampered, request.headers)


def test_retry_with_backoff_then_success(
    local: TestClient, local_app: FastAPI, ngo: Partner
) -> None:
    with receiver(fail_first=2) as hook:
        sub = subscribe(local, ngo, hook.url, ["victim.registered"])
        register_victim(local, ngo)
        worker = worker_for(local_app)
        worker.fan_out()
        now = utcnow()
        assert worker.run_once(now).failed_attempts == 1
        assert worker.run_once(now).failed_attempts == 0  # not due yet: backoff
        log = local.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=ngo.headers).json()
        [delivery] = log["items"]
        assert delivery["status"] == "pending"
        assert delivery["last_error"] == "HTTP 500"
        first_wait = _seconds_until(delivery["next_attempt_at"], now)
        assert 1.0 <= first_wait <= 1.2
        later = now + timedelta(seconds=2)
        assert worker.run_once(later).failed_attempts == 1
        delivery = local.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=ngo.headers).json()[
            "items"
        ][0]
        assert 2.0 <= _seconds_until(delivery["next_attempt_at"], later) <= 2.3  # doubled
        assert worker.run_once(later + timedelta(seconds=3)).succeeded == 1
        delivery = local.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=ngo.headers).json()[
            "items"
        ][0]
        assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == (
            "succeeded", 3, None,
        )  # fmt: skip
        ids = {r.headers["webhook-id"] for r in hook.requests}
        assert ids == {delivery["id"]}  # the same message id on every attempt


def _seconds_until(iso: str, now: Any) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(iso) - now).total_seconds()


def test_gives_up_after_three_days_and_disables_the_subscription(
    local: TestClient, local_app: FastAPI, ngo: Partner
) -> None:
    with receiver(fail_first=10_000) as hook:
        sub = subscribe(local, ngo, hook.url, ["victim.registered"])
        register_victim(local, ngo)
        worker = worker_for(local_app)
        worker.fan_out()
        now = utcnow()
        for hours in range(0, 80, 2):
            worker.run_once(now + timedelta(hours=hours))
        [delivery] = local.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=ngo.headers).json()[
            "items"
        ]
        assert delivery["status"] == "failed"
        [subscription] = [
            s for s in local.get("/v1/webhooks", headers=ngo.headers).json()["items"]
            if s["id"] == sub["id"]
        ]  # fmt: skip
        assert subscription["status"] == "disabled"
        assert "HTTP 500" in subscription["disabled_reason"]


def test_committed_while_the_worker_was_down_is_delivered_after(
    local: TestClient, local_app: FastAPI, ngo: Partner
) -> None:
    with receiver() as hook:
        subscribe(local, ngo, hook.url, ["victim.registered", "consent.recorded"])
        adult_with_consent(local, ngo)  # committed; no worker is running
        assert hook.requests == []
        worker_for(local_app).run_once()  # a worker starts later
        types = sorted(json.loads(r.body)["type"] for r in hook.requests)
        assert types == ["consent.recorded", "victim.registered"]


def test_several_workers_send_each_attempt_once(
    local: TestClient, local_app: FastAPI, ngo: Partner
) -> None:
    with receiver() as hook:
        subscribe(local, ngo, hook.url, ["victim.registered"])
        for _ in range(12):
            register_victim(local, ngo)
        workers = [worker_for(local_app) for _ in range(4)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda w: w.run_once(), workers))
        for w in workers:
            w.run_once()
        ids = [r.headers["webhook-id"] for r in hook.requests]
        assert len(ids) == 12
        assert len(set(ids)) == 12


def test_deliveries_only_carry_the_subscribers_events(
    local: TestClient, local_app: FastAPI, ngo: Partner, make_partner: PartnerFactory
) -> None:
    shelter = make_partner(["service_provider"], services=["shelter"])
    with receiver() as hook:
        subscribe(local, shelter, hook.url, ["victim.registered", "referral.created"])
        victim = adult_with_consent(local, ngo)  # not the shelter's: no delivery
        referral = refer(local, ngo, victim["id"], shelter, "shelter").json()
        worker_for(local_app).run_once()
        bodies = [json.loads(r.body) for r in hook.requests]
        assert [(b["type"], b["data"]["resource_id"]) for b in bodies] == [
            ("referral.created", referral["id"])
        ]


def test_other_agencies_cannot_see_or_delete_a_subscription(
    local: TestClient, ngo: Partner, make_partner: PartnerFactory
) -> None:
    other = make_partner(["first_responder"])
    with receiver() as hook:
        sub = subscribe(local, ngo, hook.url, ["victim.registered"])
    assert local.delete(f"/v1/webhooks/{sub['id']}", headers=other.headers).status_code == 404
    log = local.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=other.headers)
    assert log.status_code == 404
    assert sub["id"] not in local.get("/v1/webhooks", headers=other.headers).text
    assert local.delete(f"/v1/webhooks/{sub['id']}", headers=ngo.headers).status_code == 204
    assert local.delete(f"/v1/webhooks/{sub['id']}", headers=ngo.headers).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # not https
        "https://127.0.0.1/hook",
        "https://localhost/hook",  # a name that resolves to loopback
        "https://10.0.0.8/hook",
        "https://192.168.1.20/hook",
        "https://172.16.5.4/hook",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata, link-local
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fe80::1]/hook",
        "https://0.0.0.0/hook",
        "https://user:pass@example.com/hook",
        "https://no-such-host.invalid/hook",
    ],
)
def test_unsafe_targets_are_refused(client: TestClient, ngo: Partner, url: str) -> None:
    with pytest.raises(UnsafeWebhookTarget):
        check_target(url, allow_insecure=False)
    r = client.post(
        "/v1/webhooks", json={"url": url, "event_types": ["victim.registered"]}, headers=ngo.headers
    )
    assert r.status_code == 422
    assert r.json()["type"].endswith("unsafe-webhook-target")


def test_a_public_literal_address_passes_the_check() -> None:
    check_target("https://93.184.215.14/hook", allow_insecure=False)


def test_unknown_event_type_is_422(client: TestClient, ngo: Partner) -> None:
    r = client.post(
        "/v1/webhooks",
        json={"url": "https://93.184.215.14/h", "event_types": ["victim.read"]},
        headers=ngo.headers,
    )
    assert r.status_code == 422


def test_subscription_starts_at_the_feed_head(
    local: TestClient, local_app: FastAPI, ngo: Partner
) -> None:
    register_victim(local, ngo)  # before the subscription: not delivered
    with receiver() as hook:
        subscribe(local, ngo, hook.url, ["victim.registered"])
        worker_for(local_app).run_once()
        assert hook.requests == []


def test_url_with_nul_or_lone_surrogate_is_422(client: TestClient, ngo: Partner) -> None:
    for url in ("https://93.184.215.14/a\x00b", "https://93.184.215.14/\ud800"):
        body = json.dumps({"url": url, "event_types": ["victim.registered"]})  # escapes both
        r = client.post(
            "/v1/webhooks",
            content=body.encode(),
            headers={**ngo.headers, "Content-Type": "application/json"},
        )
        assert r.status_code == 422, body


def test_retried_subscription_shows_the_same_secret(local: TestClient, ngo: Partner) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = {"url": "http://127.0.0.1:9/hook", "event_types": ["victim.registered"]}
    first = local.post("/v1/webhooks", json=body, headers={**ngo.headers, **key})
    again = local.post("/v1/webhooks", json=body, headers={**ngo.headers, **key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
