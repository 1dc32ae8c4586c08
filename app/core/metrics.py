"""Prometheus metrics, labelled by route template (never by raw path or query)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests by method, route template and status",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by method and route template",
    ["method", "route"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

TRANSACTION_RETRIES = Counter(
    "db_transaction_retries_total",
    "Requests re-run after the database aborted their transaction (serialization, deadlock)",
    registry=REGISTRY,
)
SHED_REQUESTS = Counter(
    "http_requests_shed_total",
    "Requests answered 503 at once because too many were already in progress",
    registry=REGISTRY,
)


def render() -> bytes:
    return generate_latest(REGISTRY)
