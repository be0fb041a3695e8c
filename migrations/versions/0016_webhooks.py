"""webhooks

Signed webhooks: the subscriptions (URL, event types, secret and the previous one during a
rotation's grace, active or disabled and why, when last enabled), one delivery per outbox event
and subscription (unique, so a fan-out run twice records it once; partial indexes on what waits
keep the hand-out proportional to it), every attempt of a delivery (the delivery log), and the
fan-out's cursor into the outbox.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may render sqlmodel types)
from alembic import op

import workflow.core.columns

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

_WAITING = "status IN ('pending', 'sending')"


def upgrade() -> None:
    op.create_table(
        'webhook_fan_out',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('events_through', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'webhook_subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('event_types', sa.JSON(), nullable=False),
        sa.Column('secret', sa.String(length=100), nullable=False),
        sa.Column('previous_secret', sa.String(length=100), nullable=True),
        sa.Column('previous_secret_expires_at', workflow.core.columns.UTCDateTime(), nullable=True),
        sa.Column('secret_rotated_at', workflow.core.columns.UTCDateTime(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('disabled_reason', sa.Text(), nullable=True),
        sa.Column('disabled_at', workflow.core.columns.UTCDateTime(), nullable=True),
        sa.Column('enabled_at', workflow.core.columns.UTCDateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', workflow.core.columns.UTCDateTime(), nullable=False),
        sa.Column('updated_at', workflow.core.columns.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'webhook_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('event_type', sa.String(length=60), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('due_at', workflow.core.columns.UTCDateTime(), nullable=True),
        sa.Column('claim_token', sa.String(length=40), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', workflow.core.columns.UTCDateTime(), nullable=True),
        sa.Column('last_status_code', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('delivered_at', workflow.core.columns.UTCDateTime(), nullable=True),
        sa.Column('created_at', workflow.core.columns.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'delivered', 'failed', 'cancelled')", name='ck_webhook_deliveries_status'
        ),
        sa.ForeignKeyConstraint(['event_id'], ['events.id']),
        sa.ForeignKeyConstraint(['subscription_id'], ['webhook_subscriptions.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('subscription_id', 'event_id', name='uq_webhook_deliveries_once'),
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(
            'ix_webhook_deliveries_due', ['due_at'], unique=False,
            postgresql_where=sa.text(_WAITING), sqlite_where=sa.text(_WAITING),
        )
        batch_op.create_index(
            'ix_webhook_deliveries_waiting', ['subscription_id', 'due_at'], unique=False,
            postgresql_where=sa.text(_WAITING), sqlite_where=sa.text(_WAITING),
        )
    op.create_table(
        'webhook_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delivery_id', sa.Integer(), nullable=False),
        sa.Column('attempted_at', workflow.core.columns.UTCDateTime(), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_attempts_delivery_id'), ['delivery_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_attempts_delivery_id'))
    op.drop_table('webhook_attempts')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_deliveries_waiting')
        batch_op.drop_index('ix_webhook_deliveries_due')
    op.drop_table('webhook_deliveries')
    op.drop_table('webhook_subscriptions')
    op.drop_table('webhook_fan_out')
