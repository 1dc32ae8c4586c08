"""Identity key rotation: re-encrypt every identity sealed with an older key version."""

from __future__ import annotations

from sqlmodel import col, select

from app.core.crypto import Keyring
from app.core.db import Database
from app.models import Victim
from app.victims.identity import reseal

BATCH = 500


def reencrypt_identities(database: Database, keyring: Keyring) -> int:
    """Reseal in batches of ``BATCH`` rows, one transaction each, so a large registry
    never holds the write lock for long; safe to rerun after an interruption."""
    current = keyring.current_version
    done = 0
    while True:
        with database.session() as session:
            rows = session.exec(
                select(Victim)
                .where(
                    col(Victim.identity_ciphertext).is_not(None),
                    col(Victim.identity_key_version) != current,
                )
                .limit(BATCH)
            ).all()
            for victim in rows:
                assert victim.identity_ciphertext is not None
                victim.identity_ciphertext = reseal(keyring, victim.id, victim.identity_ciphertext)
                victim.identity_key_version = current
            session.flush()
        done += len(rows)
        if len(rows) < BATCH:
            return done
