"""The importer's side of the API: a token, the operation check, and one batch sent safely.

A batch is retried with the same ``Idempotency-Key`` after a dropped connection, a timeout,
``409`` (the same key still in flight), ``429`` or ``503``: the server stores it once and a
retry answers with what was stored (``Idempotent-Replayed: true``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

RETRYABLE_STATUS = {409, 429, 502, 503, 504}


class ImportFailed(RuntimeError):
    """The API refused or could not be reached; the message is safe to print."""


@dataclass(frozen=True)
class BatchResult:
    status: int
    replayed: bool
    count: int


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str

    def __repr__(self) -> str:  # never print the secret, even by accident
        return f"Credentials(client_id={self.client_id!r}, client_secret=***)"


class ApiClient:
    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        retries: int = 5,
        timeout: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self._credentials = credentials
        self._retries = retries
        self._sleep = sleep
        self._token = ""
        self.scopes: set[str] = set()

    def close(self) -> None:
        self._http.close()

    def authenticate(self) -> None:
        try:
            answer = self._http.post(
                "/v1/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(self._credentials.client_id, self._credentials.client_secret),
            )
        except httpx.TransportError as exc:
            raise ImportFailed(f"cannot reach the API: {type(exc).__name__}") from None
        if answer.status_code == 401:
            raise ImportFailed("the API refused the client id or secret (invalid_client)")
        if answer.status_code == 429:
            wait = answer.headers.get("Retry-After", "?")
            raise ImportFailed(f"too many failed token requests; try again in {wait} s")
        if answer.status_code != 200:
            raise ImportFailed(f"the token endpoint answered {answer.status_code}")
        body = answer.json()
        self._token = body["access_token"]
        self.scopes = set(str(body.get("scope", "")).split())

    def operation_is_visible(self, operation_id: uuid.UUID) -> bool | None:
        """True or False; None when this client may not read operations (the send decides)."""
        if "operations:read" not in self.scopes:
            return None
        answer = self._send("GET", f"/v1/rescue-operations/{operation_id}")
        if answer.status_code == 404:
            return False
        _raise_for_problem(answer)
        return True

    def register_batch(
        self, operation_id: uuid.UUID, items: list[dict[str, Any]], key: str
    ) -> BatchResult:
        answer = self._send(
            "POST",
            f"/v1/rescue-operations/{operation_id}/victims",
            json={"victims": items},
            headers={"Idempotency-Key": key},
        )
        _raise_for_problem(answer)
        return BatchResult(
            answer.status_code,
            answer.headers.get("Idempotent-Replayed") == "true",
            len(answer.json()["items"]),
        )

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        refreshed = False
        attempt = 0
        while True:
            headers = kwargs.pop("headers", {}) | {"Authorization": f"Bearer {self._token}"}
            kwargs["headers"] = headers
            try:
                answer = self._http.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                reason = f"{type(exc).__name__} (connection dropped or timed out)"
            else:
                if answer.status_code == 401 and not refreshed:
                    # Tokens live 15 minutes; a long import asks for a new one once.
                    refreshed = True
                    self.authenticate()
                    continue
                if answer.status_code not in RETRYABLE_STATUS:
                    return answer
                if attempt >= self._retries:
                    return answer
                reason = f"HTTP {answer.status_code}"
                retry_after = answer.headers.get("Retry-After", "")
                if retry_after.isdigit():
                    self._pause(attempt, float(retry_after))
                    attempt += 1
                    continue
            if attempt >= self._retries:
                raise ImportFailed(f"giving up after {attempt + 1} attempts: {reason}")
            self._pause(attempt, None)
            attempt += 1

    def _pause(self, attempt: int, hint: float | None) -> None:
        self._sleep(min(hint if hint is not None else 0.5 * 2**attempt, 30.0))


def _raise_for_problem(answer: httpx.Response) -> None:
    if answer.is_success:
        return
    detail = ""
    try:
        problem = answer.json()
        detail = f": {problem.get('title', '')} ({problem.get('type', '')})"
        if problem.get("detail"):
            detail += f" {problem['detail']}"
    except ValueError:
        pass
    raise ApiRefused(answer.status_code, f"the API answered {answer.status_code}{detail}", answer)


class ApiRefused(ImportFailed):
    def __init__(self, status: int, message: str, answer: httpx.Response) -> None:
        super().__init__(message)
        self.status = status
        self.answer = answer
