"""Input limits never exceed the columns they land in: otherwise PostgreSQL refuses the
row (string data right truncation, 22001) and bad input becomes a 500 (G9). SQLite does not
enforce VARCHAR lengths, so only this check catches it there. Found by schemathesis: a
45-character operation reference against a 40-character column."""

from __future__ import annotations

from typing import Any

from app.agencies.schemas import AgencyCreate, AgencyUpdate, ClientCreate
from app.core.db import metadata
from app.core.types import InputModel
from app.decisions.schemas import DecisionCreate, ReconsiderationCreate
from app.operations.schemas import Location, OperationCreate, OperationUpdate
from app.referrals.schemas import ReferralCreate, TransitionCreate
from app.victims.schemas import (
    ConsentCreate,
    ConsentWithdrawalCreate,
    Identity,
    VictimBatchCreate,
    VictimCreate,
    VictimUpdate,
)
from app.webhooks.schemas import WebhookCreate

# Each input model and (table, column prefix) it is stored in. Identity fields are sealed
# (ciphertext columns without a length), so only their own limits apply.
STORED_IN: dict[type[InputModel], tuple[str, str] | None] = {
    AgencyCreate: ("agencies", ""),
    AgencyUpdate: ("agencies", ""),
    ClientCreate: ("api_clients", ""),
    OperationCreate: ("rescue_operations", ""),
    OperationUpdate: ("rescue_operations", ""),
    Location: ("rescue_operations", "location_"),
    VictimCreate: ("victims", ""),
    VictimUpdate: ("victims", ""),
    Identity: None,
    VictimBatchCreate: None,  # a list of VictimCreate, checked above
    ConsentWithdrawalCreate: None,  # a timestamp only
    ConsentCreate: ("consents", ""),
    ReferralCreate: ("referrals", ""),
    TransitionCreate: ("referral_status_changes", ""),
    DecisionCreate: ("identification_decisions", ""),
    ReconsiderationCreate: ("reconsideration_requests", ""),
    WebhookCreate: ("webhook_subscriptions", ""),
}


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def _max_length(prop: dict[str, Any], defs: dict[str, Any]) -> int | None:
    if "$ref" in prop:
        prop = defs[prop["$ref"].split("/")[-1]]
    if "maxLength" in prop:
        return int(prop["maxLength"])
    for option in prop.get("anyOf", []):
        if (found := _max_length(option, defs)) is not None:
            return found
    return None


def test_every_input_model_is_mapped_to_its_table() -> None:
    concrete = {m for m in _subclasses(InputModel) if m.__module__.startswith("app.")}
    unmapped = {
        m.__name__
        for m in concrete
        if m not in STORED_IN and not any(issubclass(m, k) or issubclass(k, m) for k in STORED_IN)
    }
    assert unmapped == set(), "add these models to STORED_IN"


def test_no_input_may_be_longer_than_its_column() -> None:
    too_long = []
    checked = 0
    for model, target in STORED_IN.items():
        if target is None:
            continue
        table, prefix = metadata.tables[target[0]], target[1]
        schema = model.model_json_schema()
        for name, prop in schema.get("properties", {}).items():
            limit = _max_length(prop, schema.get("$defs", {}))
            column = table.columns.get(prefix + name)
            length = getattr(column.type, "length", None) if column is not None else None
            if limit is not None and length is not None:
                checked += 1
                if limit > length:
                    too_long.append(f"{model.__name__}.{name}: {limit} > {table.name}.{length}")
    assert checked >= 20
    assert too_long == []
