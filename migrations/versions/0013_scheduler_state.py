"""scheduler_state

The scheduler pass plans what changed, not the whole portfolio: its cursor into the outbox and the
days and settings it last planned everything for, and the reminder plan (per live deadline, the
offset already recorded), so a steady pass reads what is due and nothing else. The partial index
on in-force strategies' period ends lets the expiry check find lapses without reading every strategy.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may render sqlmodel types)


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_IN_FORCE = "stage IN ('implementation', 'monitoring')"


def upgrade() -> None:
    op.create_table(
        'scheduler_state',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('events_through', sa.Integer(), nullable=False),
        sa.Column('planned_for', sa.String(length=40), nullable=False),
        sa.Column('settings_fingerprint', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'reminder_plan',
        sa.Column('deadline_key', sa.String(length=120), nullable=False),
        sa.Column('deadline_kind', sa.String(length=40), nullable=False),
        sa.Column('strategy_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('recorded_offset', sa.Integer(), nullable=True),
        sa.Column('recorded_for', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id']),
        sa.PrimaryKeyConstraint('deadline_key'),
    )
    with op.batch_alter_table('reminder_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_plan_strategy_id'), ['strategy_id'], unique=False)
    with op.batch_alter_table('strategies', schema=None) as batch_op:
        batch_op.create_index(
            'ix_strategies_in_force_period_end', ['period_end'], unique=False,
            postgresql_where=sa.text(_IN_FORCE), sqlite_where=sa.text(_IN_FORCE),
        )


def downgrade() -> None:
    with op.batch_alter_table('strategies', schema=None) as batch_op:
        batch_op.drop_index('ix_strategies_in_force_period_end')
    with op.batch_alter_table('reminder_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_plan_strategy_id'))
    op.drop_table('reminder_plan')
    op.drop_table('scheduler_state')
