"""``import victims``: read, validate everything, then send in idempotent batches."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.importer.client import ApiClient, ApiRefused, ImportFailed
from app.importer.columns import column_for
from app.importer.progress import ProgressBar
from app.importer.sheet import UnreadableFile, read_sheet
from app.importer.validation import Person, RowError, validate
from app.victims.schemas import MAX_BATCH


class InvalidFile(Exception):
    """The file has errors; nothing was sent."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class Summary:
    """What happened, in counts only: no names, no references."""

    operation_id: str
    rows: int
    batches: int
    created: int = 0  # people in batches this run stored
    already_registered: int = 0  # people in batches whose every external_ref was known
    replayed: int = 0  # people in batches an earlier attempt had stored (same key)
    batches_created: int = 0
    batches_already_registered: int = 0
    batches_replayed: int = 0

    def add(self, outcome: str, count: int) -> None:
        setattr(self, outcome, getattr(self, outcome) + count)
        setattr(self, f"batches_{outcome}", getattr(self, f"batches_{outcome}") + 1)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def batch_key(operation_id: uuid.UUID, content_hash: str, index: int) -> str:
    """The same file, operation and batch index always give the same Idempotency-Key.

    A re-run with another --batch-size reuses keys for other rows: the server then answers
    422 (same key, different body) instead of registering anyone twice.
    """
    digest = hashlib.sha256(f"{operation_id}\x1f{content_hash}\x1f{index}".encode()).hexdigest()
    return f"import-victims-{digest[:40]}-{index}"


def load_people(path: Path) -> tuple[list[Person], str]:
    """The validated people and the file's content hash; InvalidFile lists every error."""
    content = path.read_bytes()
    try:
        sheet = read_sheet(path, content)
    except UnreadableFile as exc:
        raise InvalidFile([RowError(1, "(file)", str(exc))]) from None
    people, errors = validate(sheet)
    if errors:
        raise InvalidFile(errors)
    return people, hashlib.sha256(content).hexdigest()


def import_victims(
    path: Path,
    operation_id: uuid.UUID,
    client: ApiClient,
    *,
    batch_size: int = 100,
    progress: Callable[[int], ProgressBar] | None = None,
) -> Summary:
    if not 1 <= batch_size <= MAX_BATCH:
        raise ValueError(f"--batch-size must be between 1 and {MAX_BATCH}")
    people, content_hash = load_people(path)
    batches = [people[i : i + batch_size] for i in range(0, len(people), batch_size)]
    client.authenticate()
    _check_access(client, operation_id, people)
    summary = Summary(str(operation_id), len(people), len(batches))
    bar = progress(len(people)) if progress else None
    done = 0
    try:
        for index, batch in enumerate(batches):
            key = batch_key(operation_id, content_hash, index)
            try:
                result = client.register_batch(operation_id, [p.body for p in batch], key)
            except ApiRefused as exc:
                raise _with_rows(exc, batch) from None
            if result.replayed:
                outcome = "replayed"
            elif result.status == 200:
                outcome = "already_registered"
            else:
                outcome = "created"
            summary.add(outcome, result.count)
            done += len(batch)
            if bar:
                bar.show(done, f"batch {index + 1}/{len(batches)}: {outcome}")
    finally:
        if bar:
            bar.close()
    return summary


def _check_access(client: ApiClient, operation_id: uuid.UUID, people: list[Person]) -> None:
    """Refuse before sending anything what the API would refuse for every batch."""
    if "victims:write" not in client.scopes:
        raise ImportFailed("this client lacks the victims:write scope")
    identity_rows = [p.row for p in people if p.has_identity]
    if identity_rows and "victims:identity" not in client.scopes:
        raise ImportFailed(
            f"rows {_rows_text(identity_rows)} have identity columns (names, phone, document, "
            "date of birth) and this client lacks the victims:identity scope"
        )
    if client.operation_is_visible(operation_id) is False:
        raise ImportFailed(f"no rescue operation {operation_id} is visible to your agency")


def _with_rows(exc: ApiRefused, batch: list[Person]) -> ImportFailed:
    """Point the API's validation errors at spreadsheet rows and columns."""
    first, last = batch[0].row, batch[-1].row
    rows = f"row {first}" if first == last else f"rows {first}-{last}"
    try:
        problem = exc.answer.json()
    except ValueError:
        problem = {}
    errors = []
    for error in problem.get("errors", []) if isinstance(problem, dict) else []:
        loc = error.get("loc", [])
        item = loc[2] if len(loc) >= 3 and loc[:2] == ["body", "victims"] else None
        if isinstance(item, int) and 0 <= item < len(batch):
            column, prefix = column_for(tuple(loc[3:]))
            errors.append(str(RowError(batch[item].row, column, prefix + error["msg"])))
    message = f"{exc} ({rows}; batches before them are stored, re-run to resume)"
    if isinstance(problem, dict) and str(problem.get("type", "")).endswith("key-reused"):
        message = (
            f"{exc} ({rows}): this file was sent to this operation before with another "
            "--batch-size; re-run with the same --batch-size as then (batches are matched by "
            "position, so another size would register people twice)"
        )
    return ImportFailed("\n".join([message, *errors]))


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:10])
    return shown + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
