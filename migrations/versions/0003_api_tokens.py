"""api tokens

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may render sqlmodel types)
import workflow.core.columns


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('admin', 'coordinator', 'contact_point', 'viewer')", name='ck_api_tokens_role'),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_institution_id'), ['institution_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_institution_id'))

    op.drop_table('api_tokens')
