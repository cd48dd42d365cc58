"""Answer generators: turn a question and retrieved passages into a cited answer."""

from retrieval.answer.base import AnswerGenerator, generators

__all__ = ["AnswerGenerator", "generators"]
