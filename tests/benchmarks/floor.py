"""``make bench-floor``: where a read's time goes, one layer at a time, as ratios to /healthz.

The performance issue asks for the referral read at ≥ 0.45 and the victim list at ≥ 0.30 of
``/healthz``. This measures, in one run against one server process, what each layer a
read goes through costs on its own, so that a target can be compared with the cost of
the layers it cannot drop. The server is the real app, served as ``referral-api serve``
serves it (one worker, logs at info, the rate limiter counting every /v1 request), plus
probe routes added here only, never in the app:

- ``/v1/_probe/authenticated``: the /v1 router's token check, scope check and rate count,
  then an empty answer (an ``async`` route: no threadpool hop);
- ``/v1/_probe/authenticated-sync``: the same as a plain ``def`` route, as every route that
  touches the database is (the database calls must not block the event loop);
- ``/v1/_probe/unit-of-work``: and the request's transaction (the revocation check, commit);
- ``/v1/_probe/referrals/{id}``: and the need-to-know read of one referral, encoded;
  the real ``/v1/referrals/{id}`` adds its audit entry;
- ``/v1/_probe/victims``: the victim list's page, consents, decryption and rendering; the
  real ``/v1/victims?limit=50`` adds its 50 audit entries.

Usage: ``.venv/bin/python -m tests.benchmarks.floor [--seconds S] [--connections C]``;
SQLite by default, PostgreSQL when ``REFERRALS_BENCH_DATABASE_URL`` is set (as ``make bench``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response, Security

# Module level: FastAPI resolves the routes' string annotations in this module's globals.
from app.auth.deps import ReferralsRead, VictimsRead, authenticated
from app.core.deps import Db
from app.core.requests import keyring
from app.main import create_app
from app.referrals import service as referrals
from app.victims import service as victims
from app.victims.render import page_json, victim_fields
from app.victims.repository import VictimFilters
from tests.benchmarks.bench import (
    Result,
    _env,
    _free_port,
    bearer,
    make_referral,
    measure,
    prepare_database,
    register_people,
    seed,
    settle,
    wait_until_up,
)

VICTIMS = 10_000


def probe_app() -> FastAPI:
    """The app as ``serve`` builds it, plus the probe routes (uvicorn factory)."""
    app = create_app()
    # Like the /v1 router: authenticated at the router and again with the route's scopes.
    probes = APIRouter(prefix="/v1/_probe", dependencies=[Security(authenticated)])

    @probes.get("/authenticated")
    async def authenticated_async(caller: ReferralsRead) -> Response:
        return Response(b"{}", media_type="application/json")

    @probes.get("/authenticated-sync")
    def authenticated_sync(caller: ReferralsRead) -> Response:
        return Response(b"{}", media_type="application/json")

    @probes.get("/unit-of-work")
    def unit_of_work(caller: ReferralsRead, db: Db) -> Response:
        with db.begin(caller, durable=False):
            pass
        return Response(b"{}", media_type="application/json")

    @probes.get("/referrals/{referral_id}")
    def referral_unaudited(referral_id: uuid.UUID, caller: ReferralsRead, db: Db) -> Response:
        with db.begin(caller, durable=False) as session:
            body, _ = referrals.read_json(session, caller, referral_id)
        return Response(body, media_type="application/json")

    @probes.get("/victims")
    def victims_unaudited(request: Request, caller: VictimsRead, db: Db) -> Response:
        ring = keyring(request)
        with db.begin(caller, durable=False) as session:
            rows, next_cursor = victims.list_page(
                session, caller, VictimFilters(), limit=50, cursor=None
            )
            items = victim_fields(session, caller, rows, ring)
        return Response(page_json(items, next_cursor), media_type="application/json")

    app.include_router(probes, include_in_schema=False)
    return app


def serve(port: int) -> None:
    import uvicorn

    from app.cli import SERVER_OPTIONS

    uvicorn.run("tests.benchmarks.floor:probe_app", factory=True, host="127.0.0.1",
                port=port, workers=1, **SERVER_OPTIONS)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    sub = parser.add_subparsers(dest="command")
    serve_parser = sub.add_parser("serve", help="serve the probe app (used by the run)")
    serve_parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.port)
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        data_dir = Path(tmp)
        settings = prepare_database(data_dir)
        seeded = seed(settings)
        print(f"registering {VICTIMS:,} victims ...", file=sys.stderr)
        register_people(settings, seeded, 0, VICTIMS)
        settle(settings)

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with open(data_dir / "server.log", "w") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "tests.benchmarks.floor", "serve", "--port", str(port)],
                env=_env(settings), stdout=log, stderr=log,
            )  # fmt: skip
            try:
                wait_until_up(base)
                auth = bearer(base, seeded)
                referral_id = make_referral(base, auth, seeded)
                steps = [
                    ("`GET /healthz` (the floor)", "/healthz"),
                    ("+ /v1 routing, token, scopes, rate count (async)",
                     "/v1/_probe/authenticated"),
                    ("+ the threadpool hop of a database route", "/v1/_probe/authenticated-sync"),
                    ("+ the request's transaction (revocation check, commit)",
                     "/v1/_probe/unit-of-work"),
                    ("+ the need-to-know read of one referral, encoded",
                     f"/v1/_probe/referrals/{referral_id}"),
                    ("+ its audit entry = `GET /v1/referrals/{id}`",
                     f"/v1/referrals/{referral_id}"),
                    ("list: page, consents, 50 decryptions, rendering (no audit)",
                     "/v1/_probe/victims"),
                    ("+ 50 audit entries = `GET /v1/victims?limit=50`", "/v1/victims?limit=50"),
                ]  # fmt: skip
                results: list[tuple[str, Result]] = []
                for label, path in steps:
                    headers = {} if path == "/healthz" else auth
                    result = measure(label, base + path, headers, args.seconds, args.connections)
                    results.append((label, result))
            finally:
                server.terminate()
                server.wait(timeout=30)

    floor = results[0][1].rps
    database = "SQLite" if settings.is_sqlite else "PostgreSQL"
    print(f"\n{database}, {VICTIMS:,} victims, {args.connections} connections, "
          f"{args.seconds} s per step, one server process")  # fmt: skip
    print("| step | requests/s | ÷ `/healthz` | ms per request |\n|---|---:|---:|---:|")
    for label, r in results:
        print(f"| {label} | {r.rps:,.0f} | {r.rps / floor:.3f} | {1000 / r.rps:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
