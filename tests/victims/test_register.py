"""Registering one person: derived fields, identity, external_ref conditional create."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient

from tests.conftest import Partner, PartnerFactory
from tests.factories import create_operation, register_victim, victim_body


class TestRegister:
    def test_derived_fields(self, client: TestClient, ngo: Partner) -> None:
        r = client.post("/v1/victims", json=victim_body(age_estimate=16), headers=ngo.headers)
        assert r.status_code == 201
        v = r.json()
        assert re.fullmatch(r"V-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", v["case_number"])
        assert v["age_band"] == "9-17"
        assert v["is_child"] is True
        assert v["identification_status"] == "presumed"
        assert v["registered_by_agency_id"] == str(ngo.agency_id)
        assert v["consents"] == []
        assert r.headers["location"] == f"/v1/victims/{v['id']}"
        assert r.headers["etag"] == '"1"'

    def test_birth_date_decides_age_band(self, client: TestClient, ngo: Partner) -> None:
        v = register_victim(client, ngo, age_estimate=None, date_of_birth="1990-01-15")
        assert v["age_band"] == "30-38"
        assert v["is_child"] is False
        assert v["date_of_birth"] == "1990-01-15"

    def test_unknown_age_has_no_band(self, client: TestClient, ngo: Partner) -> None:
        v = register_victim(client, ngo, age_estimate=None)
        assert v["age_band"] is None
        assert v["is_child"] is False

    def test_owner_with_identity_scope_sees_identity(
        self, client: TestClient, ngo: Partner
    ) -> None:
        v = register_victim(client, ngo)
        assert v["identity_redacted"] is False
        assert v["identity"]["family_name"] == "Synthetic"

    def test_case_numbers_are_unique_and_not_derived_from_the_person(
        self, client: TestClient, ngo: Partner
    ) -> None:
        same = victim_body(1)
        a = client.post("/v1/victims", json={**same, "external_ref": "A1"}, headers=ngo.headers)
        b = client.post("/v1/victims", json={**same, "external_ref": "B1"}, headers=ngo.headers)
        assert a.json()["case_number"] != b.json()["case_number"]

    def test_same_external_ref_returns_the_existing_record(
        self, client: TestClient, ngo: Partner
    ) -> None:
        body = victim_body()
        first = client.post("/v1/victims", json=body, headers=ngo.headers)
        again = client.post("/v1/victims", json={**body, "age_estimate": 40}, headers=ngo.headers)
        assert first.status_code == 201
        assert again.status_code == 200
        assert again.json()["id"] == first.json()["id"]
        assert again.json()["age_estimate"] == first.json()["age_estimate"]

    def test_external_ref_is_per_agency(
        self, client: TestClient, ngo: Partner, make_partner: PartnerFactory
    ) -> None:
        other = make_partner(["first_responder"])
        body = victim_body()
        a = client.post("/v1/victims", json=body, headers=ngo.headers)
        b = client.post("/v1/victims", json=body, headers=other.headers)
        assert (a.status_code, b.status_code) == (201, 201)
        assert a.json()["id"] != b.json()["id"]

    def test_identity_needs_the_identity_scope(
        self, client: TestClient, make_partner: PartnerFactory
    ) -> None:
        p = make_partner(["first_responder"], scopes=["victims:write", "victims:read"])
        r = client.post("/v1/victims", json=victim_body(), headers=p.headers)
        assert r.status_code == 403
        assert r.json()["type"].endswith("identity-scope-required")
        ok = client.post("/v1/victims", json=victim_body(identity=False), headers=p.headers)
        assert ok.status_code == 201
        # Clearing identity is writing identity too.
        for clear in ({"identity": None}, {"date_of_birth": None}):
            r = client.patch(
                f"/v1/victims/{ok.json()['id']}", json=clear,
                headers={**p.headers, "If-Match": '"1"'},
            )  # fmt: skip
            assert r.status_code == 403, clear
        assert ok.status_code == 201
        assert ok.json()["identity_redacted"] is True
        assert "identity" not in ok.json()

    def test_operation_must_be_visible(
        self, client: TestClient, ngo: Partner, outsider: Partner
    ) -> None:
        theirs = create_operation(client, outsider)
        for op_id in (theirs["id"], str(uuid.uuid4())):
            r = client.post(
                "/v1/victims", json=victim_body(rescue_operation_id=op_id), headers=ngo.headers
            )
            assert r.status_code == 422
            assert r.json()["errors"][0]["loc"] == ["body", "rescue_operation_id"]

    def test_server_owned_fields_are_refused(self, client: TestClient, ngo: Partner) -> None:
        for field, value in [
            ("id", str(uuid.uuid4())),
            ("registered_by_agency_id", str(uuid.uuid4())),
            ("case_number", "V-0000-0000"),
            ("identification_status", "identified"),
            ("version", 3),
        ]:
            r = client.post("/v1/victims", json=victim_body(**{field: value}), headers=ngo.headers)
            assert r.status_code == 422, field

    def test_bad_codes_are_422(self, client: TestClient, ngo: Partner) -> None:
        for overrides in [
            {"nationality": "ph"},
            {"nationality": "XYZ"},
            {"languages": ["English"]},
            {"sex": "f"},
            {"exploitation_types": ["scam"]},
            {"age_estimate": 200},
            {"date_of_birth": "2999-01-01"},
            {"needs": ["shelter", "shelter"]},
        ]:
            r = client.post("/v1/victims", json=victim_body(**overrides), headers=ngo.headers)
            assert r.status_code == 422, overrides
