"""known_history: strategies.drafting_started_on, strategy_revisions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

``drafting_started_on`` is backfilled with the earlier of the local day the strategy was created
(in the deployment's timezone) and its first transition's effective day, so an imported strategy,
created today with history backdated by years, is seen from its first step as before. A fresh draft
without a recorded stage start has entered drafting on that day.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may render sqlmodel types)
from alembic import op

import workflow.core.columns
from workflow.core import get_settings, local_date

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('strategy_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('effective_on_approximate', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.Column('recorded_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('strategy_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_strategy_revisions_strategy_id'), ['strategy_id'], unique=False)

    with op.batch_alter_table('strategies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('drafting_started_on', sa.Date(), nullable=True))
    _backfill_drafting_start()
    with _foreign_keys_off(), op.batch_alter_table('strategies', schema=None) as batch_op:
        batch_op.alter_column('drafting_started_on', existing_type=sa.Date(), nullable=False)


@contextmanager
def _foreign_keys_off() -> Iterator[None]:
    """SQLite alters a column by copying the table and dropping the old one, which the rows of
    ``stage_changes`` (and others) still name: with foreign keys on, the drop fails, and deferring
    them does not help (the copy taking the old name does not settle the count). They can only be
    switched off outside a transaction: commit what the driver has open (on SQLite the schema
    changes before are not held in it anyway), copy with them off, then on again and check."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        yield
        return
    raw = bind.connection.dbapi_connection
    assert raw is not None, "the migration's connection is open"
    raw.commit()
    raw.execute('PRAGMA foreign_keys=OFF')
    try:
        yield
    finally:
        raw.commit()
        raw.execute('PRAGMA foreign_keys=ON')
    broken = raw.execute('PRAGMA foreign_key_check').fetchall()
    if broken:
        raise RuntimeError(f'rows name rows that do not exist: {broken[:5]}')


def _backfill_drafting_start() -> None:
    zone = get_settings().zone
    strategies = sa.table(
        'strategies',
        sa.column('id', sa.Integer()),
        sa.column('created_at', workflow.core.columns.UTCDateTime(timezone=True)),
        sa.column('stage_entered_on', sa.Date()),
        sa.column('drafting_started_on', sa.Date()),
    )
    stage_changes = sa.table(
        'stage_changes', sa.column('strategy_id', sa.Integer()), sa.column('effective_on', sa.Date())
    )
    connection = op.get_bind()
    first_steps = dict(connection.execute(
        sa.select(stage_changes.c.strategy_id, sa.func.min(stage_changes.c.effective_on))
        .group_by(stage_changes.c.strategy_id)
    ).all())
    rows = connection.execute(sa.select(strategies.c.id, strategies.c.created_at, strategies.c.stage_entered_on)).all()
    for strategy_id, created_at, stage_entered_on in rows:
        created_on = local_date(created_at, zone)
        first_step = first_steps.get(strategy_id)
        values = {'drafting_started_on': min(created_on, first_step) if first_step is not None else created_on}
        if first_step is None and stage_entered_on is None:
            values['stage_entered_on'] = values['drafting_started_on']
        connection.execute(strategies.update().where(strategies.c.id == strategy_id).values(**values))


def downgrade() -> None:
    with _foreign_keys_off(), op.batch_alter_table('strategies', schema=None) as batch_op:
        batch_op.drop_column('drafting_started_on')

    with op.batch_alter_table('strategy_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_strategy_revisions_strategy_id'))

    op.drop_table('strategy_revisions')
