"""chipbot's Slack app: bolt listeners, Block Kit rendering, a worker pool and a store
(SQLite or PostgreSQL, see :mod:`bot.db`).

Everything here is an edge: it calls :class:`retrieval.engine.Chipbot` and holds no
retrieval logic of its own.
"""
