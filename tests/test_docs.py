"""The documentation: runners' blocks are found wherever they live, the README's headline
figures are the tables' own, and every relative link in README.md and docs/ resolves."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from benchmarks import headline
from benchmarks.readme import read_block, update_block
from retrieval.engine import Chipbot

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def block(name: str, body: str) -> str:
    return f"<!-- BEGIN {name} -->\n{body}\n<!-- END {name} -->\n"


def site(tmp_path: Path, pages: dict[str, str]) -> Path:
    """A tiny repository: README.md plus pages under docs/."""
    for name, text in pages.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_update_block_writes_a_block_that_lives_in_a_docs_page(tmp_path: Path) -> None:
    root = site(
        tmp_path,
        {
            "README.md": "# readme\n",
            "docs/a.md": "# a\n" + block("figures", "old"),
            "docs/b.md": "# b\n" + block("other", "untouched"),
        },
    )
    update_block("figures", "| new |", root=root)
    assert (root / "docs/a.md").read_text() == "# a\n" + block("figures", "| new |")
    assert (root / "docs/b.md").read_text() == "# b\n" + block("other", "untouched")
    assert (root / "README.md").read_text() == "# readme\n"


def test_update_block_names_a_block_no_page_holds(tmp_path: Path) -> None:
    root = site(tmp_path, {"README.md": "# readme\n", "docs/a.md": block("figures", "x")})
    with pytest.raises(SystemExit, match="<!-- BEGIN missing -->"):
        update_block("missing", "body", root=root)


def test_update_block_refuses_a_block_held_by_two_pages(tmp_path: Path) -> None:
    root = site(
        tmp_path,
        {"README.md": block("figures", "one"), "docs/a.md": block("figures", "two")},
    )
    with pytest.raises(SystemExit, match=r"BEGIN figures.*README\.md, docs/a\.md"):
        update_block("figures", "body", root=root)
    assert (root / "README.md").read_text() == block("figures", "one")


def test_update_block_with_a_path_writes_only_that_page(tmp_path: Path) -> None:
    root = site(
        tmp_path,
        {"README.md": block("figures", "one"), "docs/a.md": block("figures", "two")},
    )
    update_block("figures", "three", root / "docs/a.md", root=root)
    assert (root / "docs/a.md").read_text() == block("figures", "three")
    assert (root / "README.md").read_text() == block("figures", "one")


def test_every_block_lives_in_exactly_one_page() -> None:
    seen: dict[str, list[str]] = {}
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for name in re.findall(r"<!-- BEGIN (\S+) -->", text):
            assert f"<!-- END {name} -->" in text, f"{page.name}: block {name} has no END"
            seen.setdefault(name, []).append(page.name)
    assert {name: pages for name, pages in seen.items() if len(pages) > 1} == {}
    assert {"headline", *headline.SOURCES} <= seen.keys()


def test_the_readme_headline_is_quoted_from_the_tables() -> None:
    assert read_block(headline.BLOCK).strip() == headline.render(read_block)


def test_writing_a_quoted_table_rewrites_the_readme_headline(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    for page in PAGES:
        shutil.copy(page, root / page.relative_to(ROOT))
    table = read_block("seeds-eval", root)
    new_table = re.sub(r"^\| all \| 89 \| [0-9.]+ ", "| all | 89 | 0.999 ", table, flags=re.M)
    assert new_table != table

    update_block("seeds-eval", new_table, root=root)

    assert (
        "**Seed gold set** (89 questions, 15 unanswerable, 12 more off topic): hit@5 0.999,"
        in read_block(headline.BLOCK, root)
    )


def test_the_headline_names_a_table_that_changed_shape() -> None:
    tables = {name: read_block(name) for name in headline.SOURCES}
    tables["public-benchmarks-scifact"] = tables["public-benchmarks-scifact"].replace(
        "nDCG@10", "NDCG at 10"
    )
    with pytest.raises(SystemExit, match="public-benchmarks-scifact"):
        headline.render(tables.__getitem__)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"#{1,6} (.*)", line)):
            found.add(slug(match[1]))
    return found


def relative_links(page: Path) -> list[str]:
    links: list[str] = []
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            prose = re.sub(r"`[^`]*`", "", line)
            links += [t for t in LINK.findall(prose) if not re.match(r"[a-z]+:", t)]
    return links


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_at_an_existing_file_and_heading(page: Path) -> None:
    broken = []
    for link in relative_links(page):
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        missing_heading = anchor and target.suffix == ".md" and anchor not in anchors(target)
        if not target.exists() or missing_heading:
            broken.append(link)
    assert broken == []


def readme_code_blocks() -> list[str]:
    return re.findall(r"^```\w*\n(.*?)^```", (ROOT / "README.md").read_text("utf-8"), re.M | re.S)


def test_the_readme_test_command_is_the_one_ci_runs() -> None:
    commands = [line for line in readme_code_blocks()[0].splitlines() if line.strip()]
    assert "bash scripts/test.sh" in commands
    assert "\nbash scripts/test.sh\n" in (ROOT / ".ci" / "run").read_text("utf-8")


@pytest.mark.slow
def test_the_readme_sample_answer_is_what_chipbot_answers(engine: Chipbot) -> None:
    sample = readme_code_blocks()[1]
    question = re.search(r'^\$ chipbot ask "(.*)"$', sample, re.M)
    assert question is not None
    assert f'chipbot ask "{question[1]}"' in readme_code_blocks()[0]
    shown_answer = sample[question.end() : sample.index("\nSources\n")]
    shown_spans = re.findall(r"/seeds/(\w+)\.txt:(\d+)-(\d+)\)", sample)

    answer = engine.ask(question[1])

    assert " ".join(shown_answer.split()) == " ".join(answer.answer.split())
    assert shown_spans == [(c.article_id, str(c.start), str(c.end)) for c in answer.citations]
