"""gap_report: today's gap report as the gap watch last judged it, one row per strategy, and the one
state row saying for which day, through which outbox event and with which settings (see
workflow.gaps.stored). Empty at first: the next scheduler pass judges everything and fills it, and
until then GET /gaps computes as before.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may render sqlmodel types)
from alembic import op

import workflow.core.columns

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'gap_report_entries',
        sa.Column('strategy_id', sa.Integer(), nullable=False),
        sa.Column('policy_area', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('predecessor_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=True),
        sa.Column('lapses_on', sa.Date(), nullable=True),
        sa.Column('sort_key', sa.String(length=300), nullable=True),
        sa.Column('entry', sa.JSON(), nullable=True),
        sa.Column('warn_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id']),
        sa.PrimaryKeyConstraint('strategy_id'),
    )
    with op.batch_alter_table('gap_report_entries', schema=None) as batch_op:
        batch_op.create_index('ix_gap_report_entries_policy_area', ['policy_area'], unique=False)
        batch_op.create_index('ix_gap_report_entries_sort_key', ['sort_key'], unique=False)
        batch_op.create_index('ix_gap_report_entries_warn_on', ['warn_on'], unique=False)
    op.create_table(
        'gap_report_state',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('computed_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column('events_through', sa.Integer(), nullable=False),
        sa.Column('events_through_tx', sa.BigInteger(), nullable=False),
        sa.Column('typical', sa.JSON(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('settings_fingerprint', sa.String(length=64), nullable=False),
        sa.Column('watch_fingerprint', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('gap_report_state')
    with op.batch_alter_table('gap_report_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_gap_report_entries_warn_on')
        batch_op.drop_index('ix_gap_report_entries_sort_key')
        batch_op.drop_index('ix_gap_report_entries_policy_area')
    op.drop_table('gap_report_entries')
