"""contacts: delivery preference and turnover

``delivery`` says how a person's reminders reach them (``immediate``, ``daily`` or ``weekly``
digests); ``deactivated_at`` marks a person who left (no sign-in, no email) and
``handover_contact_id`` the person who took over what was theirs. Every existing contact stays
active with immediate delivery.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may render sqlmodel types)
from alembic import op

import workflow.core.columns

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery', sa.String(length=10), server_default='immediate', nullable=False))
        batch_op.add_column(sa.Column('deactivated_at', workflow.core.columns.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('handover_contact_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_contacts_handover_contact_id', 'contacts', ['handover_contact_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_constraint('fk_contacts_handover_contact_id', type_='foreignkey')
        batch_op.drop_column('handover_contact_id')
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('delivery')
