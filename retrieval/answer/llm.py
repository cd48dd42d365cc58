"""Fluent answers from any LangChain chat model, held to the extractive answers' standard.

The model sees the numbered passages fenced as data (``prompts/answer``) and must cite
``[n]`` after every claim; :func:`retrieval.answer.citations.check_answer` then removes
markers naming no passage, flags unsupported sentences and renumbers the rest, each
citation resolving to a passage's exact span. When the model cites nothing valid or the
call fails after its retries, the offline extractive answer is returned instead, with a
note saying so (``generator == "llm->extractive"``).

Importing this module does not import LangChain; building a generator does.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from retrieval.answer.base import AnswerGenerator, generators
from retrieval.answer.citations import SupportJudge, check_answer
from retrieval.answer.condense import condense_with_model, message_text
from retrieval.errors import ConfigError
from retrieval.models import Answer, Passage, format_date
from retrieval.prompts import LoadedPrompt, load_prompt
from retrieval.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

    from retrieval.answer.support import DocumentEmbedder

logger = logging.getLogger(__name__)

NAME = "llm"
FALLBACK_NAME = "llm->extractive"
#: Provider -> (pip extra of chipbot, environment variable holding its API key).
PROVIDERS: dict[str, tuple[str, str | None]] = {
    "openai": ("openai", "OPENAI_API_KEY"),
    "anthropic": ("anthropic", "ANTHROPIC_API_KEY"),
    "ollama": ("ollama", None),
}
# OpenAI-compatible local servers (llama.cpp, vLLM, LM Studio) ignore the key but the
# client insists on one.
LOCAL_SERVER_KEY = "not-needed"
_FENCE_RE = re.compile(r"<(/?)(passages?)\b", re.IGNORECASE)


def _provider_kwargs(provider: str, settings: Settings) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"temperature": settings.llm_temperature}
    if provider == "ollama":
        kwargs["num_predict"] = settings.llm_max_tokens
        kwargs["client_kwargs"] = {"timeout": settings.llm_timeout}
    else:
        kwargs["max_tokens"] = settings.llm_max_tokens
        kwargs["timeout"] = settings.llm_timeout
        kwargs["max_retries"] = settings.llm_max_retries
        if settings.llm_api_key is not None:
            kwargs["api_key"] = _secret(settings.llm_api_key)
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    return kwargs


def _secret(value: object) -> str:
    # ``Settings.with_overrides`` copies without validation, so a flag value may be a str.
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def _missing_key(exc: Exception) -> bool:
    text = str(exc).lower()
    return "api_key" in text or "api key" in text or "credentials" in text


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model named by ``settings.llm`` (``"provider:model"``), via ``init_chat_model``.

    Raises :class:`ConfigError` naming the pip extra to install or the variable to set.
    """
    spec = (settings.llm or "").strip()
    provider, _, model = spec.partition(":")
    if not provider or not model:
        raise ConfigError(f"set the LLM as PROVIDER:MODEL (e.g. openai:gpt-4o-mini), not {spec!r}")
    from langchain.chat_models import init_chat_model

    kwargs = _provider_kwargs(provider, settings)
    try:
        try:
            return init_chat_model(model, model_provider=provider, **kwargs)
        except Exception as exc:
            if not (_missing_key(exc) and settings.llm_base_url and "api_key" not in kwargs):
                raise
            return init_chat_model(
                model, model_provider=provider, **kwargs, api_key=LOCAL_SERVER_KEY
            )
    except ImportError as exc:
        extra = PROVIDERS.get(provider, (None, None))[0]
        hint = f"pip install 'chipbot[{extra}]'" if extra else _pip_hint(exc)
        raise ConfigError(f"the {provider!r} LLM provider is not installed; run: {hint}") from None
    except ValueError as exc:
        message = str(exc).lower()
        if "unsupported provider" in message or "unable to infer" in message:
            known = ", ".join(sorted(PROVIDERS))
            raise ConfigError(
                f"unknown LLM provider {provider!r}; use one of {known} (or another LangChain one)"
            ) from None
        raise ConfigError(f"cannot set up the LLM {spec!r}: {type(exc).__name__}") from None
    except Exception as exc:
        if _missing_key(exc):
            env = PROVIDERS.get(provider, (None, None))[1]
            where = f"{env} or CHIPBOT_LLM_API_KEY" if env else "CHIPBOT_LLM_API_KEY"
            raise ConfigError(f"no API key for the {provider!r} LLM; set {where}") from None
        raise ConfigError(f"cannot set up the LLM {spec!r}: {type(exc).__name__}") from None


def _pip_hint(exc: ImportError) -> str:
    match = re.search(r"pip install ([\w\-\[\]\"']+)", str(exc))
    return (
        f"pip install {match.group(1)}" if match else "pip install the provider's langchain package"
    )


def _fence_safe(text: str) -> str:
    """``text`` unable to close or open the passage fence (``</passage`` -> ``‹/passage``)."""
    return _FENCE_RE.sub(lambda m: f"‹{m.group(1)}{m.group(2)}", text)


def _attr(value: str) -> str:
    return _fence_safe(" ".join(value.split())).replace('"', "'")


def format_passages(passages: Sequence[Passage]) -> str:
    """The numbered passages as fenced ``<passage>`` blocks with title, date and article id."""
    blocks = []
    for n, p in enumerate(passages, start=1):
        blocks.append(
            f'<passage n="{n}" article="{_attr(p.article_id)}" title="{_attr(p.title)}" '
            f'date="{format_date(p.date)}">\n{_fence_safe(p.text.strip())}\n</passage>'
        )
    return "\n".join(blocks)


class LLMGenerator:
    """An :class:`~retrieval.answer.base.AnswerGenerator` backed by a LangChain chat model."""

    name = NAME

    def __init__(
        self,
        settings: Settings,
        chat_model: BaseChatModel | None = None,
        fallback: AnswerGenerator | None = None,
        embedder: DocumentEmbedder | None = None,
        *,
        judge: SupportJudge | None = None,
        answer_prompt: str = "answer",
        condense_prompt: str = "condense",
        prompts_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self.model_name = settings.llm
        self.chat_model = chat_model if chat_model is not None else build_chat_model(settings)
        self.answer_prompt: LoadedPrompt = load_prompt(answer_prompt, prompts_dir)
        self.condense_prompt: LoadedPrompt = load_prompt(condense_prompt, prompts_dir)
        self._fallback = fallback
        self._embedder = embedder
        self._judge = judge

    @property
    def prompt_version(self) -> str:
        """The answer prompt's ``name/vN``, recorded on every answer the model writes."""
        return self.answer_prompt.ref

    @property
    def fallback(self) -> AnswerGenerator:
        """The offline generator used when the model fails (created on first use)."""
        if self._fallback is None:
            import retrieval.answer.extractive  # noqa: F401  (registers "extractive")

            self._fallback = generators.create(
                "extractive", settings=self.settings, embedder=self._embedder
            )
        return self._fallback

    @property
    def judge(self) -> SupportJudge:
        """The support check (loads the embedding model on first use if none was given)."""
        if self._judge is None:
            from retrieval.answer.support import SupportChecker

            embedder = self._embedder
            if embedder is None:
                from retrieval.embedding import load_embedder

                embedder = load_embedder(
                    self.settings.embedding_model, self.settings.encoder, self.settings.models_dir
                )
                self._embedder = embedder
            self._judge = SupportChecker(embedder)
        return self._judge

    def generate(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[str] = (),
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Ask the model, check its citations, or fall back to the extractive answer."""
        if not passages:
            return self._fall_back(
                question,
                passages,
                history,
                "No passages were retrieved, so the model was not asked.",
            )
        messages = self.answer_prompt.template.format_messages(
            passages=format_passages(passages), question=question
        )
        started = time.perf_counter()
        try:
            text = self._call(messages, on_token)
        except _CallError as failed:
            logger.warning("LLM call failed after retries: %s", failed.kind)
            return self._fall_back(
                question,
                passages,
                history,
                f"The language model call failed ({failed.kind}); "
                "this is the offline extractive answer instead.",
            )
        llm_ms = (time.perf_counter() - started) * 1000
        checked = check_answer(text, passages, self.judge)
        check_ms = (time.perf_counter() - started) * 1000 - llm_ms
        if not checked.cited and not checked.abstained:
            fallback = self._fall_back(
                question,
                passages,
                history,
                "The model's answer cited none of the passages it was given; "
                "this is the offline extractive answer instead.",
            )
            # What the model got wrong still counts in evaluations of the model.
            fallback.removed_citations = checked.removed_citations
            fallback.prompt_version = self.prompt_version
            return fallback
        notes = []
        if checked.removed_citations:
            notes.append(
                f"Removed {checked.removed_citations} citation marker(s) naming no passage "
                "given to the model."
            )
        if checked.unsupported:
            notes.append(
                f"{len(checked.unsupported)} sentence(s) not supported by a cited passage "
                "are marked [unsupported]."
            )
        return Answer(
            question=question,
            answer=checked.answer,
            abstained=checked.abstained,
            citations=checked.citations,
            passages=list(passages),
            generator=self.name,
            prompt_version=self.prompt_version,
            unsupported=checked.unsupported,
            removed_citations=checked.removed_citations,
            notes=notes,
            timings_ms={"llm": llm_ms, "check": check_ms},
        )

    def condense(self, question: str, history: Sequence[str]) -> str:
        """Rewrite a follow-up as a standalone question with the model (as asked on failure)."""
        return condense_with_model(self.chat_model, self.condense_prompt, question, history)

    def _call(self, messages: list[BaseMessage], on_token: Callable[[str], None] | None) -> str:
        if on_token is None:
            try:
                return message_text(self.chat_model.invoke(messages))
            except Exception as exc:
                raise _CallError(type(exc).__name__) from exc
        pieces: list[str] = []
        for piece in _guarded(self.chat_model.stream(messages)):
            pieces.append(piece)
            on_token(piece)  # a failing callback is the caller's error, not the model's
        return "".join(pieces)

    def _fall_back(
        self, question: str, passages: Sequence[Passage], history: Sequence[str], note: str
    ) -> Answer:
        answer = self.fallback.generate(question, passages, history)
        answer.generator = FALLBACK_NAME
        answer.notes = [note, *answer.notes]
        return answer


class _CallError(Exception):
    """The model call raised; ``kind`` is the exception's class name (never its message)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _guarded(stream: Iterator[Any]) -> Iterator[str]:
    """The text pieces of a model stream; any provider error becomes :class:`_CallError`."""
    while True:
        try:
            chunk = next(stream)
        except StopIteration:
            return
        except Exception as exc:
            raise _CallError(type(exc).__name__) from exc
        piece = message_text(chunk)
        if piece:
            yield piece


def _factory(**kwargs: Any) -> LLMGenerator:
    settings = kwargs.get("settings")
    if not isinstance(settings, Settings):
        raise ConfigError("the llm generator needs the settings")
    return LLMGenerator(
        settings,
        chat_model=kwargs.get("chat_model"),
        fallback=kwargs.get("fallback"),
        embedder=kwargs.get("embedder"),
    )


generators.register(NAME, _factory)
