"""Consent records: append-only, with withdrawal."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Partner
from tests.factories import register_victim

CONSENT = {
    "purposes": ["identification", "data_sharing"],
    "method": "written",
    "language": "tl",
    "interpreter_used": True,
    "given_at": "2026-11-21T08:00:00Z",
}


def test_record_and_withdraw(client: TestClient, ngo: Partner) -> None:
    v = register_victim(client, ngo)
    r = client.post(f"/v1/victims/{v['id']}/consents", json=CONSENT, headers=ngo.headers)
    assert r.status_code == 201
    consent = r.json()
    assert consent["active"] is True
    assert consent["recorded_by_agency_id"] == str(ngo.agency_id)
    shown = client.get(f"/v1/victims/{v['id']}", headers=ngo.headers).json()["consents"]
    assert [c["id"] for c in shown] == [consent["id"]]

    w = client.post(
        f"/v1/victims/{v['id']}/consents/{consent['id']}/withdrawal", headers=ngo.headers
    )
    assert w.status_code == 201
    assert w.json()["active"] is False
    assert w.json()["withdrawn_at"] is not None
    shown = client.get(f"/v1/victims/{v['id']}", headers=ngo.headers).json()["consents"]
    assert shown[0]["active"] is False
    assert shown[0]["purposes"] == CONSENT["purposes"]  # the record itself is unchanged

    again = client.post(
        f"/v1/victims/{v['id']}/consents/{consent['id']}/withdrawal", headers=ngo.headers
    )
    assert again.status_code == 409


def test_withdrawal_time_can_be_given(client: TestClient, ngo: Partner) -> None:
    v = register_victim(client, ngo)
    c = client.post(f"/v1/victims/{v['id']}/consents", json=CONSENT, headers=ngo.headers).json()
    w = client.post(
        f"/v1/victims/{v['id']}/consents/{c['id']}/withdrawal",
        json={"withdrawn_at": "2026-11-22T10:00:00Z"},
        headers=ngo.headers,
    )
    assert w.json()["withdrawn_at"] == "2026-11-22T10:00:00Z"


def test_unknown_consent_is_404(client: TestClient, ngo: Partner) -> None:
    v = register_victim(client, ngo)
    r = client.post(
        f"/v1/victims/{v['id']}/consents/{uuid.uuid4()}/withdrawal", headers=ngo.headers
    )
    assert r.status_code == 404


def test_consent_of_another_victim_is_404(client: TestClient, ngo: Partner) -> None:
    a, b = register_victim(client, ngo), register_victim(client, ngo)
    c = client.post(f"/v1/victims/{a['id']}/consents", json=CONSENT, headers=ngo.headers).json()
    r = client.post(f"/v1/victims/{b['id']}/consents/{c['id']}/withdrawal", headers=ngo.headers)
    assert r.status_code == 404


def test_bad_consent_bodies(client: TestClient, ngo: Partner) -> None:
    v = register_victim(client, ngo)
    for bad in [
        {**CONSENT, "purposes": []},
        {**CONSENT, "purposes": ["marketing"]},
        {**CONSENT, "purposes": ["services", "services"]},
        {**CONSENT, "given_at": "2026-11-21T08:00:00"},
        {**CONSENT, "method": "telepathy"},
    ]:
        r = client.post(f"/v1/victims/{v['id']}/consents", json=bad, headers=ngo.headers)
        assert r.status_code == 422, bad


def test_only_the_registering_agency_records_or_withdraws_consent(
    client: TestClient, ngo: Partner, make_partner: Any
) -> None:
    from tests.referrals.conftest import refer

    partner = make_partner(["first_responder", "service_provider"], services=["shelter"])
    v = register_victim(client, ngo, age_estimate=12)
    c = client.post(f"/v1/victims/{v['id']}/consents", json=CONSENT, headers=ngo.headers).json()
    refer(client, ngo, v["id"], partner, "shelter")  # the partner now sees the record
    r = client.post(f"/v1/victims/{v['id']}/consents", json=CONSENT, headers=partner.headers)
    assert r.status_code == 403
    w = client.post(f"/v1/victims/{v['id']}/consents/{c['id']}/withdrawal", headers=partner.headers)
    assert w.status_code == 403


def test_times_out_of_range_are_422(client: TestClient, ngo: Partner) -> None:
    v = register_victim(client, ngo)
    for given_at in ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00"]:
        r = client.post(
            f"/v1/victims/{v['id']}/consents", json={**CONSENT, "given_at": given_at},
            headers=ngo.headers,
        )  # fmt: skip
        assert r.status_code == 422, given_at
    r = client.get("/v1/victims?updated_after=0001-01-01T00:00:00%2B01:00", headers=ngo.headers)
    assert r.status_code == 422
