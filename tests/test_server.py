"""chipbot against a real Chroma server (`chroma run` on 127.0.0.1, started here)."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from benchmarks.chroma_server import ChromaServer, chroma_binary, free_port
from retrieval.errors import ChipbotError
from retrieval.index import Index
from retrieval.settings import Settings
from retrieval.store import ChromaBackend

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
QUESTION = "Which company is Japan's leading maker of chip manufacturing equipment?"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chroma_binary() is None, reason="the `chroma` command is not installed"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """One real Chroma server for this module (collections are namespaced per test)."""
    with ChromaServer(tmp_path_factory.mktemp("chroma-server") / "db") as running:
        yield running


@pytest.fixture
def collection(request: pytest.FixtureRequest) -> str:
    """A collection name of this test's own on the shared server."""
    return "t" + str(abs(hash(request.node.name)) % 10**10)


def chipbot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def env(server: ChromaServer, collection: str, isolated_data_dir: Path) -> dict[str, str]:
    """The environment of a CLI process using the server."""
    return {
        **os.environ,
        "CHIPBOT_CHROMA_URL": server.url,
        "CHIPBOT_COLLECTION": collection,
        "CHIPBOT_DATA_DIR": str(isolated_data_dir),
        "PYTHONPATH": str(ROOT),
    }


def test_ingest_and_ask_through_the_server_cite_verifiable_spans(
    env: dict[str, str], server: ChromaServer, collection: str, isolated_data_dir: Path
) -> None:
    ingested = chipbot("ingest", str(SEEDS), env=env)
    assert ingested.returncode == 0, ingested.stderr
    assert "2 added" in ingested.stdout
    asked = chipbot("ask", "--json", QUESTION, env=env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert "Tokyo Electron" in answer["answer"]
    for citation in answer["citations"]:
        text = Path(citation["path"]).read_text(encoding="utf-8")
        assert text[citation["start"] : citation["end"]] == citation["quote"]
    # The vectors live on the server, not in the local data dir.
    assert not (isolated_data_dir / "chroma").exists()
    settings = Settings(data_dir=isolated_data_dir, chroma_url=server.url, collection=collection)
    assert collection in ChromaBackend(settings).names()


def test_the_chroma_url_flag_selects_the_server_like_the_variable(
    env: dict[str, str], server: ChromaServer, isolated_data_dir: Path
) -> None:
    without_variable = {k: v for k, v in env.items() if k != "CHIPBOT_CHROMA_URL"}
    ingested = chipbot("ingest", str(SEEDS), "--chroma-url", server.url, env=without_variable)
    assert ingested.returncode == 0, ingested.stderr
    asked = chipbot("ask", "--json", QUESTION, "--chroma-url", server.url, env=without_variable)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["citations"]
    assert not (isolated_data_dir / "chroma").exists()


def test_a_rebuild_on_the_server_switches_the_pointer_and_drops_the_old_collection(
    env: dict[str, str], server: ChromaServer, collection: str, isolated_data_dir: Path
) -> None:
    assert chipbot("ingest", str(SEEDS), env=env).returncode == 0
    rebuilt = chipbot("ingest", "--rebuild", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    settings = Settings(data_dir=isolated_data_dir, chroma_url=server.url, collection=collection)
    backend = ChromaBackend(settings)
    active = backend.active_name()
    assert active is not None
    assert active.startswith(f"{collection}-r")
    assert collection not in backend.names()
    assert f"{collection}-active" in backend.names()
    asked = chipbot("ask", "--json", QUESTION, env=env)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["citations"]


def test_an_unreachable_server_is_a_one_line_error(env: dict[str, str]) -> None:
    nobody = {**env, "CHIPBOT_CHROMA_URL": f"http://127.0.0.1:{free_port()}"}
    result = chipbot("ask", QUESTION, env=nobody)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot reach the Chroma server at http://127.0.0.1:")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_server_that_goes_away_mid_session_is_a_chipbot_error(
    tmp_path: Path, seed_index_dir: Path, embedder: object
) -> None:
    from retrieval.ingest import ingest

    with ChromaServer(tmp_path / "db") as own:
        settings = Settings(data_dir=tmp_path / "data", chroma_url=own.url)
        ingest([SEEDS], settings, embedder)  # type: ignore[arg-type]
        index = Index.open(settings)
        vector = np.ones(384, dtype=np.float32) / np.sqrt(384)
        assert index.dense_search(vector, 3)
        own.stop()
        with pytest.raises(ChipbotError, match="lost the connection to the Chroma server"):
            index.dense_search(vector, 3)


class _TokenGate(http.server.BaseHTTPRequestHandler):
    """A reverse proxy in front of the Chroma server that lets only one bearer token in."""

    upstream = ""
    token = ""

    def _relay(self) -> None:
        given = self.headers.get("Authorization", "")
        if given != f"Bearer {self.token}":
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
        request = urllib.request.Request(
            self.upstream + self.path,
            data=body,
            method=self.command,
            headers={"Content-Type": self.headers.get("Content-Type", "application/json")},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._relay()

    def do_POST(self) -> None:
        self._relay()

    def do_PUT(self) -> None:
        self._relay()

    def do_DELETE(self) -> None:
        self._relay()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads results, not access logs."""


@pytest.fixture
def token_gate(server: ChromaServer) -> Iterator[str]:
    """The URL of a token-checking proxy in front of the real server (token "s3cret")."""
    gate = type("Gate", (_TokenGate,), {"upstream": server.url, "token": "s3cret"})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), gate)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_the_token_setting_is_sent_as_a_bearer_header(env: dict[str, str], token_gate: str) -> None:
    gated = {**env, "CHIPBOT_CHROMA_URL": token_gate, "CHIPBOT_CHROMA_TOKEN": "s3cret"}
    ingested = chipbot("ingest", str(SEEDS), env=gated)
    assert ingested.returncode == 0, ingested.stderr
    asked = chipbot("ask", "--json", QUESTION, env=gated)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["citations"]
    assert "s3cret" not in asked.stderr + ingested.stderr


def test_a_refused_token_is_a_one_line_error_naming_the_setting(
    env: dict[str, str], token_gate: str
) -> None:
    gated = {**env, "CHIPBOT_CHROMA_URL": token_gate, "CHIPBOT_CHROMA_TOKEN": "wrong"}
    result = chipbot("ask", QUESTION, env=gated)
    assert result.returncode == 1
    assert "refused the credentials" in result.stderr
    assert "CHIPBOT_CHROMA_TOKEN" in result.stderr
    assert "wrong" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
