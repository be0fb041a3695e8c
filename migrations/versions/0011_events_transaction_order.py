"""events_transaction_order: each event records the transaction that wrote it (see workflow.core.outbox)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Events written so far took their ids under the old advisory lock, in commit order: as
    # transaction 0 they keep that order and come before every event written from now on. The
    # default only fills them in: new rows must name their transaction (record_event does).
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tx_id', sa.BigInteger(), nullable=False, server_default=sa.text('0')))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.alter_column('tx_id', server_default=None)
        batch_op.create_index('ix_events_tx_id_id', ['tx_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_tx_id_id')
        batch_op.drop_column('tx_id')
