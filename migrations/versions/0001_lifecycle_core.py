"""lifecycle core

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may render sqlmodel types)
import workflow.core.columns


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=60), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('occurred_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_strategy_id'), ['strategy_id'], unique=False)

    op.create_table('institutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('created_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_institution_id'), ['institution_id'], unique=False)

    op.create_table('strategies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('policy_area', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('predecessor_id', sa.Integer(), nullable=True),
    sa.Column('lead_institution_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('stage_entered_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('drafting_due', sa.Date(), nullable=True),
    sa.Column('consultation_due', sa.Date(), nullable=True),
    sa.Column('approval_due', sa.Date(), nullable=True),
    sa.Column('approval_reference', sa.String(length=200), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('expired_on', sa.Date(), nullable=True),
    sa.Column('expiry_reason', sa.String(length=20), nullable=True),
    sa.Column('min_consultation_days', sa.Integer(), nullable=True),
    sa.Column('created_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('period_end > period_start', name='ck_strategies_period_order'),
    sa.CheckConstraint('version >= 1', name='ck_strategies_version_positive'),
    sa.ForeignKeyConstraint(['lead_institution_id'], ['institutions.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['strategies.id'], ),
    sa.ForeignKeyConstraint(['predecessor_id'], ['strategies.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('strategies', schema=None) as batch_op:
        batch_op.create_index('ix_strategies_area_period_end', ['policy_area', 'period_end'], unique=False)
        batch_op.create_index(batch_op.f('ix_strategies_lead_institution_id'), ['lead_institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_strategies_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_strategies_predecessor_id'), ['predecessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_strategies_stage'), ['stage'], unique=False)

    op.create_table('stage_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('from_stage', sa.String(length=20), nullable=False),
    sa.Column('to_stage', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_changes_strategy_id'), ['strategy_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_changes_strategy_id'))

    op.drop_table('stage_changes')
    with op.batch_alter_table('strategies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_strategies_stage'))
        batch_op.drop_index(batch_op.f('ix_strategies_predecessor_id'))
        batch_op.drop_index(batch_op.f('ix_strategies_parent_id'))
        batch_op.drop_index(batch_op.f('ix_strategies_lead_institution_id'))
        batch_op.drop_index('ix_strategies_area_period_end')

    op.drop_table('strategies')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_institution_id'))

    op.drop_table('contacts')
    op.drop_table('institutions')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_strategy_id'))

    op.drop_table('events')
