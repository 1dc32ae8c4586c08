"""rate counters replace token failure windows

Revision ID: 7201cf08b3e4
Revises: 906a16e56ce2
Create Date: 2026-11-29 07:23:22.480872
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sqlmodel

import app.core.db

revision: str = '7201cf08b3e4'
down_revision: str | None = '906a16e56ce2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Token-failure windows become one kind of bucket in the shared rate counters.
    op.create_table('rate_counters',
    sa.Column('bucket', sa.String(length=100), nullable=False),
    sa.Column('window_start', sa.BigInteger(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('bucket', 'window_start', name=op.f('pk_rate_counters'))
    )
    op.drop_table('token_failure_windows')


def downgrade() -> None:
    # Counters are scratch data: nothing to carry back.
    op.create_table('token_failure_windows',
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('window_start', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('client_key', 'window_start', name=op.f('pk_token_failure_windows'))
    )
    op.drop_table('rate_counters')
