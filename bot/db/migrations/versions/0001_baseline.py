"""Baseline: the store's tables as chipbot created them before Alembic.

A store made by an older chipbot (``feedback.sqlite`` with these tables and no
``alembic_version``) already has them: existing tables and their rows are kept, and only
what is missing is created.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables and indexes that do not exist yet."""
    inspector = sa.inspect(op.get_bind())
    tables = set(inspector.get_table_names())
    if "seen" not in tables:
        op.create_table(
            "seen",
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("at", sa.Float, nullable=False),
        )
    if "answers" not in tables:
        op.create_table(
            "answers",
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("channel", sa.Text, nullable=False),
            sa.Column("thread_ts", sa.Text),
            sa.Column("message_ts", sa.Text),
            sa.Column("user", sa.Text),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("answer_json", sa.Text, nullable=False),
            sa.Column("created_at", sa.Float, nullable=False),
        )
    answer_indexes = set() if "answers" not in tables else _indexes(inspector, "answers")
    if "answers_thread" not in answer_indexes:
        op.create_index("answers_thread", "answers", ["channel", "thread_ts"])
    if "answers_message" not in answer_indexes:
        op.create_index("answers_message", "answers", ["channel", "message_ts"])
    if "feedback" not in tables:
        op.create_table(
            "feedback",
            sa.Column("answer_id", sa.Text, primary_key=True),
            sa.Column("user", sa.Text, primary_key=True),
            sa.Column("vote", sa.Integer, nullable=False),
            sa.Column("channel", sa.Text),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("answer", sa.Text, nullable=False),
            sa.Column("citations_json", sa.Text, nullable=False),
            sa.Column("prompt_version", sa.Text),
            sa.Column("generator", sa.Text),
            sa.Column("created_at", sa.Float, nullable=False),
        )


def downgrade() -> None:
    """Drop everything (the store's data goes with it)."""
    op.drop_table("feedback")
    op.drop_index("answers_message", "answers")
    op.drop_index("answers_thread", "answers")
    op.drop_table("answers")
    op.drop_table("seen")


def _indexes(inspector: sa.Inspector, table: str) -> set[str]:
    return {str(index["name"]) for index in inspector.get_indexes(table)}
