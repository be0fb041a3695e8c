"""calendar feeds and the scheduler's health

``calendar_feeds`` keeps the SHA-256 of each calendar feed's token, for a contact or an
institution (exactly one), with at most one live (unrevoked) feed per owner. ``scheduler_health``
is one row: how long the last scheduler pass took, and when one last succeeded and failed, for
``GET /metrics``.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may render sqlmodel types)
from alembic import op

import workflow.core.columns

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'calendar_feeds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=True),
        sa.Column('institution_id', sa.Integer(), nullable=True),
        sa.Column('created_at', workflow.core.columns.UTCDateTime(), nullable=False),
        sa.Column('revoked_at', workflow.core.columns.UTCDateTime(), nullable=True),
        sa.CheckConstraint('(contact_id IS NULL) <> (institution_id IS NULL)', name='ck_calendar_feeds_one_owner'),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id']),
        sa.ForeignKeyConstraint(['institution_id'], ['institutions.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('uq_calendar_feeds_live_contact', 'calendar_feeds', ['contact_id'], unique=True,
                    postgresql_where=sa.text('revoked_at IS NULL'), sqlite_where=sa.text('revoked_at IS NULL'))
    op.create_index('uq_calendar_feeds_live_institution', 'calendar_feeds', ['institution_id'], unique=True,
                    postgresql_where=sa.text('revoked_at IS NULL'), sqlite_where=sa.text('revoked_at IS NULL'))
    op.create_table(
        'scheduler_health',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last_started_at', workflow.core.columns.UTCDateTime(), nullable=True),
        sa.Column('last_duration_seconds', sa.Float(), nullable=True),
        sa.Column('last_success_at', workflow.core.columns.UTCDateTime(), nullable=True),
        sa.Column('last_failure_at', workflow.core.columns.UTCDateTime(), nullable=True),
        sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('scheduler_health')
    op.drop_index('uq_calendar_feeds_live_institution', table_name='calendar_feeds')
    op.drop_index('uq_calendar_feeds_live_contact', table_name='calendar_feeds')
    op.drop_table('calendar_feeds')
