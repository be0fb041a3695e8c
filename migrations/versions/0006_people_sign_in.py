"""people sign in: access role, sign-in links, web sessions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may render sqlmodel types)
import workflow.core.columns


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('email_key', sa.String(length=340), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('secret_hash')
    )
    with op.batch_alter_table('sign_in_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_links_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_links_email_key'), ['email_key'], unique=False)

    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('email_key', sa.String(length=340), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', workflow.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('secret_hash')
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_contact_id'), ['contact_id'], unique=False)

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('access_role', sa.String(length=20), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('access_role')

    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_contact_id'))

    op.drop_table('web_sessions')
    with op.batch_alter_table('sign_in_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_links_email_key'))
        batch_op.drop_index(batch_op.f('ix_sign_in_links_contact_id'))

    op.drop_table('sign_in_links')
