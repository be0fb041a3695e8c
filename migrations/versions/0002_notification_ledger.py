"""notification ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may render sqlmodel types)
import workflow.core.columns


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gap_watch',
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('changed_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id'], ),
    sa.PrimaryKeyConstraint('strategy_id')
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deadline_key', sa.String(length=120), nullable=False),
    sa.Column('deadline_kind', sa.String(length=40), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('offset_days', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('escalated', sa.Boolean(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('due_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claim_token', sa.String(length=40), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')", name='ck_notifications_status'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('deadline_key', 'due_on', 'offset_days', 'contact_id', name='uq_notifications_once')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_due', ['due_at'], unique=False, postgresql_where=sa.text("status IN ('pending', 'sending')"), sqlite_where=sa.text("status IN ('pending', 'sending')"))
        batch_op.create_index(batch_op.f('ix_notifications_strategy_id'), ['strategy_id'], unique=False)

    with op.batch_alter_table('strategies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_offsets', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('overdue_offsets', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('strategies', schema=None) as batch_op:
        batch_op.drop_column('overdue_offsets')
        batch_op.drop_column('reminder_offsets')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_strategy_id'))
        batch_op.drop_index('ix_notifications_due', postgresql_where=sa.text("status IN ('pending', 'sending')"), sqlite_where=sa.text("status IN ('pending', 'sending')"))

    op.drop_table('notifications')
    op.drop_table('gap_watch')
