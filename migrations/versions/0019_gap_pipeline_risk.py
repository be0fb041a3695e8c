"""gap pipeline risk: which rule flagged a stored entry, and its place in the order of gap risk

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('gap_report_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('risk_rule', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('risk_key', sa.String(length=310), nullable=True))
        batch_op.create_index('ix_gap_report_entries_risk_key', ['risk_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('gap_report_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_gap_report_entries_risk_key')
        batch_op.drop_column('risk_key')
        batch_op.drop_column('risk_rule')
