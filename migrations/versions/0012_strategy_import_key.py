"""strategies.import_key: the key a portfolio file gave a strategy, so importing it again finds it

Unique where set; strategies created through the API or the console have none.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('strategies') as batch_op:
        batch_op.add_column(sa.Column('import_key', sa.String(length=120), nullable=True))
        batch_op.create_index('ix_strategies_import_key', ['import_key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('strategies') as batch_op:
        batch_op.drop_index('ix_strategies_import_key')
        batch_op.drop_column('import_key')
