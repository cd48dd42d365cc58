"""The tables, as SQLAlchemy Core metadata: what the migrations build, and what the store
queries. ``tests/slack/test_db_migrations.py`` checks the two never drift apart.

``seen`` holds claim keys (Slack event ids, message ids, one-shot button actions): its
primary key is what makes a claim atomic across processes. ``answers`` are the answers
posted, found by id (buttons) or by thread (the context of follow-up questions).
``feedback`` is one vote per user and answer, with a copy of what was voted on.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, Table, Text

metadata = MetaData()

seen = Table(
    "seen",
    metadata,
    Column("key", Text, primary_key=True),
    Column("at", Float, nullable=False),
)
Index("seen_at", seen.c.at)

answers = Table(
    "answers",
    metadata,
    Column("id", Text, primary_key=True),
    Column("channel", Text, nullable=False),
    Column("thread_ts", Text),
    Column("message_ts", Text),
    Column("user", Text),
    Column("question", Text, nullable=False),
    Column("answer_json", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)
Index("answers_thread", answers.c.channel, answers.c.thread_ts)
Index("answers_message", answers.c.channel, answers.c.message_ts)

feedback = Table(
    "feedback",
    metadata,
    Column("answer_id", Text, primary_key=True),
    Column("user", Text, primary_key=True),
    Column("vote", Integer, nullable=False),
    Column("channel", Text),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations_json", Text, nullable=False),
    Column("prompt_version", Text),
    Column("generator", Text),
    Column("created_at", Float, nullable=False),
)
Index("feedback_created_at", feedback.c.created_at)
