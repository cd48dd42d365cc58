"""The Slack app's database: where de-duplication keys, answers, thread context and feedback
live (``CHIPBOT_DATABASE_URL``: a SQLite file by default, PostgreSQL for a team).

One module a concept: :mod:`~bot.db.urls` (which database), :mod:`~bot.db.schema` (its
tables), :mod:`~bot.db.engine` (connecting), :mod:`~bot.db.migrate` (Alembic migrations,
shipped in ``bot/db/migrations``). :class:`bot.slack.store.Store` is what the app uses.
"""
