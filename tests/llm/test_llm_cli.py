"""`chipbot ask/chat/eval --llm` end to end: CLI -> engine -> langchain-openai -> local server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.llm.openai_server import OpenAIServer

pytestmark = pytest.mark.slow

REPLY = "Tokyo Electron is Japan’s leading chip manufacturing equipment maker [1]."
QUESTION = "Which company is Japan's leading maker of chip manufacturing equipment?"


@pytest.fixture
def llm_env(openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> OpenAIServer:
    monkeypatch.setenv("CHIPBOT_LLM_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("CHIPBOT_LLM_MAX_RETRIES", "0")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return openai_server


def _invoke(seed_settings, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        main, [args[0], "--data-dir", str(seed_settings.data_dir), *args[1:]], input=stdin
    )


def test_ask_llm_json_carries_the_prompt_version_and_verbatim_citations(
    seed_settings, llm_env: OpenAIServer
) -> None:
    llm_env.script(REPLY)
    result = _invoke(seed_settings, "ask", "--json", "--llm", "openai:local-model", QUESTION)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["generator"] == "llm"
    assert data["prompt_version"] == "answer/v1"
    assert data["citations"]
    for c in data["citations"]:
        with open(c["path"], encoding="utf-8") as handle:
            assert handle.read()[c["start"] : c["end"]] == c["quote"]


def test_ask_llm_streams_the_answer_then_lists_sources(
    seed_settings, llm_env: OpenAIServer
) -> None:
    llm_env.script(REPLY)
    result = _invoke(seed_settings, "ask", "--llm", "openai:local-model", QUESTION)
    assert result.exit_code == 0, result.output
    assert "Tokyo Electron is Japan" in result.output
    assert "Sources" in result.output
    assert llm_env.requests[0]["stream"] is True


def test_ask_llm_that_fails_falls_back_to_the_extractive_answer(
    seed_settings, llm_env: OpenAIServer
) -> None:
    from tests.llm.openai_server import Reply

    llm_env.script(Reply(status=500), Reply(status=500), Reply(status=500))
    result = _invoke(seed_settings, "ask", "--json", "--llm", "openai:local-model", QUESTION)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["generator"] == "llm->extractive"
    assert data["notes"]
    assert "Tokyo Electron" in data["answer"]


def test_an_unknown_provider_is_a_one_line_error(seed_settings) -> None:
    result = _invoke(seed_settings, "ask", "--llm", "nosuch:model", QUESTION)
    assert result.exit_code == 1
    assert result.output.startswith("Error:")
    assert "Traceback" not in result.output


def test_chat_llm_rewrites_a_followup_with_the_model(seed_settings, llm_env: OpenAIServer) -> None:
    llm_env.script(
        REPLY,
        "What has the Netherlands agreed to?",
        "The Netherlands said talks were making progress [1].",
    )
    result = _invoke(
        seed_settings,
        "chat",
        "--llm",
        "openai:local-model",
        stdin=f"{QUESTION}\nAnd the Netherlands?\nquit\n",
    )
    assert result.exit_code == 0, result.output
    assert "Read as: What has the Netherlands agreed to?" in result.output


def test_eval_llm_reports_removed_and_unsupported_citations(
    seed_settings, llm_env: OpenAIServer, tmp_path: Path
) -> None:
    gold = tmp_path / "gold.jsonl"
    lines = Path("eval/seeds_gold.jsonl").read_text("utf-8").splitlines()[:2]
    gold.write_text("\n".join(lines) + "\n", "utf-8")
    llm_env.script("An invented claim with no passage [9].", REPLY)
    result = _invoke(seed_settings, "eval", "--json", "--llm", "openai:local-model", str(gold))
    assert result.exit_code == 0, result.output
    overall = json.loads(result.output)["overall"]
    assert overall["removed_citations"] >= 1
    assert "llm_fallbacks" in overall
