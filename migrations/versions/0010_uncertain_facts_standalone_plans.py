"""uncertain_facts_standalone_plans

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may render sqlmodel types)
import workflow.core.columns


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Standalone action plans need no schema change: strategies.parent_id is already nullable.
    with op.batch_alter_table('strategies', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('approval_reference_unknown', sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('effective_on_approximate', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.drop_column('effective_on_approximate')

    with op.batch_alter_table('strategies', schema=None) as batch_op:
        batch_op.drop_column('approval_reference_unknown')
