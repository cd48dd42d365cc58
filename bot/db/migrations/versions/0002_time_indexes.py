"""Indexes on the times the store sorts and prunes by.

Pruning old claim keys (``DELETE FROM seen WHERE at < …``) and listing feedback newest
first scanned whole tables; with a team's traffic on one shared database they should not.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two indexes."""
    op.create_index("seen_at", "seen", ["at"])
    op.create_index("feedback_created_at", "feedback", ["created_at"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("feedback_created_at", "feedback")
    op.drop_index("seen_at", "seen")
