"""The ``referral-api`` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from app.core.config import ConfigurationError, Settings, get_settings


def _print_json(data: object) -> None:
    print(json.dumps(data, indent=2, default=str))


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def cmd_db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from app.core.migrations import upgrade

    upgrade(settings.database_url)
    return 0


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def cmd_agencies_create(settings: Settings, args: argparse.Namespace) -> int:
    from app.agencies import service
    from app.agencies.schemas import AgencyCreate, AgencyRead
    from app.core.db import Database

    try:
        data = AgencyCreate(
            slug=args.slug,
            name=args.name,
            kind=args.kind,
            country=args.country,
            roles=_split(args.roles),
            services=_split(args.services),
        )
    except ValidationError as exc:
        return _fail(_validation_summary(exc))
    database = Database(settings)
    try:
        with database.session() as session:
            agency = service.create_agency(session, data)
            result = AgencyRead.model_validate(agency)
    finally:
        database.dispose()
    _print_json(result.model_dump(mode="json"))
    return 0


def cmd_clients_create(settings: Settings, args: argparse.Namespace) -> int:
    from app.agencies import service
    from app.agencies.repository import AgencyRepository
    from app.agencies.schemas import ClientCreate
    from app.core.db import Database

    try:
        data = ClientCreate(
            name=args.name or f"{args.agency} client",
            scopes=args.scopes.split() if args.scopes else None,
        )
    except ValidationError as exc:
        return _fail(_validation_summary(exc))
    database = Database(settings)
    try:
        with database.session() as session:
            agency = AgencyRepository(session).get_by_slug(args.agency)
            if agency is None:
                return _fail(f"no agency with slug {args.agency!r}")
            created = service.create_client(
                session, agency.id, data, hash_cost=settings.secret_hash_n
            )
            output = {
                "client_id": str(created.client.id),
                "client_secret": created.secret,
                "scopes": created.client.scopes,
            }
    finally:
        database.dispose()
    _print_json(output)
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    settings.check_production_secrets()
    uvicorn.run("app.main:app", host=args.host, port=args.port, workers=args.workers,
                **SERVER_OPTIONS)  # fmt: skip
    return 0


# How ``serve`` runs uvicorn (the benchmarks serve their probe app with the same options).
SERVER_OPTIONS: dict[str, Any] = {
    "log_config": None,  # logging is configured by the app (JSON lines, no personal data)
    "access_log": False,  # the app logs each request itself, with its request id
    "proxy_headers": True,
    # Longer than the idle timeout of common load balancers (60 s), so that the balancer,
    # not this server, closes idle connections: a server-side close racing a client's next
    # request on the same connection loses that request.
    "timeout_keep_alive": 75,
}


def cmd_identity_rotate(settings: Settings, args: argparse.Namespace) -> int:
    from app.core.crypto import Keyring, generate_key_text
    from app.core.db import Database
    from app.victims.rotation import reencrypt_identities

    keyring_text = settings.identity_keys_text
    if args.new_key:
        if settings.environment != "development" or settings.identity_keys.strip():
            return _fail(
                "--new-key only manages the development key file; in production add the new "
                "version to REFERRALS_IDENTITY_KEYS and run this command without --new-key"
            )
        version = Keyring.from_text(keyring_text).current_version + 1
        keyring_text = f"{keyring_text.strip()},{version}:{generate_key_text()}"
        path = settings.data_dir / "identity-keys"
        tmp = path.with_name(".identity-keys.tmp")
        tmp.write_text(keyring_text)
        tmp.chmod(0o600)
        tmp.replace(path)
    keyring = Keyring.from_text(keyring_text)
    database = Database(settings)
    try:
        count = reencrypt_identities(database, keyring)
    finally:
        database.dispose()
    _print_json({"key_version": keyring.current_version, "reencrypted": count})
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from app.core.db import Database
    from app.core.migrations import upgrade
    from app.demo.build import build_demo, database_is_empty

    credentials_file = settings.data_dir / "demo-credentials.json"
    if args.reset:
        if settings.environment == "production":
            return _fail("refusing to reset a database with REFERRALS_ENVIRONMENT=production")
        _reset_database(settings)
    upgrade(settings.database_url)
    database = Database(settings)
    try:
        empty = database_is_empty(database)
    finally:
        database.dispose()
    if not empty:
        if args.if_empty:
            print(f"Database already has data; demo credentials (if it is the demo) are in "
                  f"{credentials_file}", file=sys.stderr)  # fmt: skip
            return 0
        return _fail("the database is not empty; use --reset for a fresh demo database")
    credentials = build_demo(settings)
    payload = [c.__dict__ for c in credentials]
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    tmp = credentials_file.with_name(".demo-credentials.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.chmod(0o600)
    tmp.replace(credentials_file)
    _print_demo_credentials(credentials, credentials_file)
    return 0


def _print_demo_credentials(credentials: list[Any], path: Any) -> None:
    print(f"\nDemo API clients (synthetic data; secrets also saved to {path}):\n")
    for c in credentials:
        print(f"  {c.slug:<20} {','.join(c.roles):<22} client_id={c.client_id}")
        print(f"  {'':<20} {'':<22} client_secret={c.client_secret}")
    print("\nOpen /docs, press Authorize and paste a client_id and client_secret.\n")


def _reset_database(settings: Settings) -> None:
    from pathlib import Path

    from sqlalchemy import create_engine, make_url, text

    if settings.is_sqlite:
        path = Path(make_url(settings.database_url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = create_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def cmd_worker(settings: Settings, _args: argparse.Namespace) -> int:
    import signal
    import threading

    from app.core.crypto import Keyring
    from app.core.db import Database
    from app.core.logging import configure_logging
    from app.webhooks.worker import DeliveryWorker

    settings.check_production_secrets()
    configure_logging(settings.log_level)
    database = Database(settings)
    worker = DeliveryWorker(database, settings, Keyring.from_text(settings.identity_keys_text))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        worker.run_forever(stop)
    finally:
        database.dispose()
    return 0


def cmd_audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    from app.audit.checkpoint import check_checkpoint
    from app.audit.verify import verify_chain
    from app.auth.keys import SigningKey
    from app.core.db import Database

    database = Database(settings)
    try:
        with database.session(write=False) as session:
            result = verify_chain(session)
            output: dict[str, Any] = {
                "valid": result.valid,
                "entries": result.entries,
                "head_hash": result.head_hash,
                "first_bad_id": str(result.first_bad_id) if result.first_bad_id else None,
                "first_bad_seq": result.first_bad_seq,
            }
            if args.checkpoint:
                checkpoint = json.loads(open(args.checkpoint).read())  # noqa: SIM115
                key = SigningKey.from_pem(settings.signing_key_pem)
                check = check_checkpoint(session, key, checkpoint, result)
                output["checkpoint_valid"] = check.valid
                output["checkpoint_problem"] = check.reason
                output["valid"] = result.valid and check.valid
    finally:
        database.dispose()
    _print_json(output)
    return 0 if output["valid"] else 1


def cmd_audit_checkpoint(settings: Settings, _args: argparse.Namespace) -> int:
    from app.audit.checkpoint import make_checkpoint
    from app.auth.keys import SigningKey
    from app.core.db import Database

    database = Database(settings)
    try:
        with database.session(write=False) as session:
            checkpoint = make_checkpoint(session, SigningKey.from_pem(settings.signing_key_pem))
    except ValueError as exc:
        return _fail(str(exc))
    finally:
        database.dispose()
    _print_json(checkpoint)
    return 0


def cmd_import_victims(_settings: Settings | None, args: argparse.Namespace) -> int:
    """Talks to the API over HTTP as a partner client; needs no server settings."""
    from pathlib import Path

    from app.importer.client import ApiClient, Credentials, ImportFailed
    from app.importer.progress import ProgressBar
    from app.importer.run import InvalidFile, import_victims, load_people

    if not 1 <= args.batch_size <= 1000:
        return _fail("--batch-size must be between 1 and 1000 (the intake endpoint's limit)")
    path = Path(args.file)
    if not path.is_file():
        return _fail(f"no such file: {path}")
    if args.dry_run:
        try:
            people, _ = load_people(path)
        except InvalidFile as exc:
            return _report_invalid(exc.errors)
        _print_json({"rows": len(people), "valid": True, "sent": 0})
        return 0
    client_id = args.client_id or os.environ.get("REFERRALS_CLIENT_ID", "")
    client_secret = args.client_secret or os.environ.get("REFERRALS_CLIENT_SECRET", "")
    if not client_id or not client_secret:
        return _fail(
            "give --client-id and --client-secret, or set REFERRALS_CLIENT_ID and "
            "REFERRALS_CLIENT_SECRET (better: the secret stays out of your shell history)"
        )
    client = ApiClient(args.base_url, Credentials(client_id, client_secret), retries=args.retries)
    try:
        summary = import_victims(
            path,
            args.operation,
            client,
            batch_size=args.batch_size,
            progress=lambda total: ProgressBar(total, "importing"),
        )
    except InvalidFile as exc:
        return _report_invalid(exc.errors)
    except ImportFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    finally:
        client.close()
    _print_json(summary.as_dict())
    return 0


def _report_invalid(errors: list[Any]) -> int:
    for error in errors:
        print(error, file=sys.stderr)
    print(f"{len(errors)} error(s) in the file; nothing was sent", file=sys.stderr)
    return 1


def _validation_summary(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="referral-api", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_cmd", required=True)
    db.add_parser("upgrade", help="migrate to the latest schema").set_defaults(func=cmd_db_upgrade)

    agencies = sub.add_parser("agencies", help="partner agencies").add_subparsers(
        dest="agencies_cmd", required=True
    )
    create_agency = agencies.add_parser("create", help="register an agency; prints it as JSON")
    create_agency.add_argument("--name", required=True)
    create_agency.add_argument("--slug", required=True)
    create_agency.add_argument("--kind", required=True)
    create_agency.add_argument("--country", required=True, help="ISO 3166-1 alpha-2, e.g. TH")
    create_agency.add_argument("--roles", required=True, help="comma separated")
    create_agency.add_argument("--services", default="", help="comma separated purposes")
    create_agency.set_defaults(func=cmd_agencies_create)

    clients = sub.add_parser("clients", help="API clients").add_subparsers(
        dest="clients_cmd", required=True
    )
    create_client = clients.add_parser(
        "create", help="create a client; prints its secret once, as JSON"
    )
    create_client.add_argument("--agency", required=True, help="the agency's slug")
    create_client.add_argument("--scopes", default=None, help='space separated, e.g. "a b"')
    create_client.add_argument("--name", default=None)
    create_client.set_defaults(func=cmd_clients_create)

    identity = sub.add_parser("identity", help="identity encryption keys").add_subparsers(
        dest="identity_cmd", required=True
    )
    rotate = identity.add_parser(
        "rotate", help="re-encrypt every identity with the newest key version"
    )
    rotate.add_argument(
        "--new-key", action="store_true", help="development: add a new key version first"
    )
    rotate.set_defaults(func=cmd_identity_rotate)

    demo = sub.add_parser(
        "demo", help="a fresh demo database: synthetic agencies, credentials and a mass intake"
    )
    demo.add_argument("--reset", action="store_true", help="wipe the database first")
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing (exit 0) if the database has data"
    )
    demo.set_defaults(func=cmd_demo)

    audit = sub.add_parser("audit", help="the tamper-evident audit trail").add_subparsers(
        dest="audit_cmd", required=True
    )
    verify = audit.add_parser("verify", help="recompute the hash chain (exit 1 if broken)")
    verify.add_argument("--checkpoint", help="a file from `audit checkpoint`: detects truncation")
    verify.set_defaults(func=cmd_audit_verify)
    audit.add_parser(
        "checkpoint", help="print the chain head signed with the service key (keep it elsewhere)"
    ).set_defaults(func=cmd_audit_checkpoint)

    worker = sub.add_parser(
        "worker", help="deliver webhooks from the outbox (run several for redundancy)"
    )
    worker.set_defaults(func=cmd_worker)

    importer = sub.add_parser("import", help="import a spreadsheet through the API").add_subparsers(
        dest="import_cmd", required=True
    )
    victims = importer.add_parser(
        "victims",
        help="register the people of a CSV or XLSX file in a rescue operation, in batches",
        description="Validates every row first (nothing is sent if any is invalid), then "
        "registers them in batches, each with an Idempotency-Key derived from the operation, "
        "the file's content and the batch index: re-running after an interruption replays "
        "what was stored instead of duplicating anyone. Columns: see templates/victims.csv.",
    )
    victims.add_argument("file", help="a .csv (UTF-8) or .xlsx file")
    victims.add_argument("--operation", required=True, type=uuid.UUID, help="rescue operation id")
    victims.add_argument(
        "--base-url",
        default=os.environ.get("REFERRALS_API_URL", "http://127.0.0.1:8000"),
        help="the API (default $REFERRALS_API_URL or http://127.0.0.1:8000)",
    )
    victims.add_argument("--client-id", help="default $REFERRALS_CLIENT_ID")
    victims.add_argument(
        "--client-secret",
        help="better: set $REFERRALS_CLIENT_SECRET (a command line is visible to others)",
    )
    victims.add_argument("--batch-size", type=int, default=100, help="people per request (1..1000)")
    victims.add_argument(
        "--retries", type=int, default=5, help="retries of a batch after a dropped connection"
    )
    victims.add_argument(
        "--dry-run", action="store_true", help="only validate the file; send nothing"
    )
    victims.set_defaults(func=cmd_import_victims, needs_settings=False)

    serve = sub.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not getattr(args, "needs_settings", True):
        return int(args.func(None, args))
    try:
        settings = get_settings()
        return int(args.func(settings, args))
    except ConfigurationError as exc:
        return _fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
