"""Tests for retrieval.chunking: verbatim offsets, packing, overlap, long sentences."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from retrieval.chunking import CHUNKER_VERSION, chunk_article, chunk_params, chunk_records
from retrieval.models import Article, Chunk
from retrieval.parsing import ArticleSkipped, parse_file, parse_text
from retrieval.text import split_sentences

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def article(text: str, body_start: int = 0) -> Article:
    return Article(
        id="a",
        title="t",
        date=None,
        path="/a.txt",
        content_hash="h",
        text=text,
        body_start=body_start,
    )


def sentence_texts(text: str, start: int = 0) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, start)]


def test_empty_body_gives_no_chunks() -> None:
    assert chunk_article(article("")) == []
    assert chunk_article(article("date 2023-01-13   ", body_start=18)) == []


def test_short_body_is_one_chunk_with_absolute_offsets() -> None:
    text = "date 2023-01-13 One. Two."
    chunks = chunk_article(article(text, body_start=16))
    assert chunks == [Chunk(article_id="a", chunk_no=0, start=16, end=25, text="One. Two.")]


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_seed_chunks_are_verbatim_spans_of_the_file(path: Path) -> None:
    art = parse_file(path)
    chunks = chunk_article(art)
    assert len(chunks) >= 3
    with open(path, encoding="utf-8") as f:
        on_disk = f.read()
    for no, chunk in enumerate(chunks):
        assert chunk.chunk_no == no
        assert chunk.article_id == art.id
        assert on_disk[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text) <= 700
        assert chunk.start >= art.body_start


def test_seed_000_chunks_keep_curly_quotes_and_skip_the_date_header() -> None:
    chunks = chunk_article(parse_file(SEEDS / "000_35dad6a91730d5a0.txt"))
    assert chunks[0].text.startswith("WASHINGTON - When the Biden administration")
    assert "date 2023" not in "".join(c.text for c in chunks)
    assert any("“I think there’s a very, very similar vision" in c.text for c in chunks)


def test_seed_chunks_cover_every_sentence() -> None:
    for path in SEED_FILES:
        art = parse_file(path)
        chunks = chunk_article(art)
        for s, e in split_sentences(art.text, art.body_start):
            assert any(c.start <= s and e <= c.end for c in chunks)


def test_consecutive_chunks_share_one_sentence_by_default() -> None:
    sents = [f"Sentence number {i} is here." for i in range(10)]
    text = " ".join(sents)
    chunks = chunk_article(article(text), max_chars=90)
    for prev, nxt in pairwise(chunks):
        last = sentence_texts(prev.text)[-1]
        assert sentence_texts(nxt.text)[0] == last
        assert nxt.end > prev.end


def test_overlap_zero_gives_disjoint_chunks() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(10))
    chunks = chunk_article(article(text), max_chars=90, overlap=0)
    for prev, nxt in pairwise(chunks):
        assert nxt.start > prev.end


def test_overlap_two_shares_two_sentences() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(12))
    chunks = chunk_article(article(text), max_chars=120, overlap=2)
    for prev, nxt in pairwise(chunks):
        assert sentence_texts(nxt.text)[:2] == sentence_texts(prev.text)[-2:]


def test_each_chunk_adds_a_new_sentence_even_when_overlap_is_large() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(8))
    chunks = chunk_article(article(text), max_chars=60, overlap=5)
    ends = [c.end for c in chunks]
    assert ends == sorted(set(ends))
    assert chunks[-1].end == len(text)


def test_heading_is_not_left_at_the_end_of_a_chunk() -> None:
    text = "First sentence is fairly long here.\n\nSeeking a deal\n\nThe deal sentence follows."
    chunks = chunk_article(article(text), max_chars=55, overlap=0)
    assert [c.text for c in chunks] == [
        "First sentence is fairly long here.",
        "Seeking a deal\n\nThe deal sentence follows.",
    ]


def test_long_sentence_is_split_at_word_boundaries() -> None:
    words = [f"word{i:03d}" for i in range(100)]
    text = " ".join(words) + "."
    chunks = chunk_article(article(text), max_chars=100, overlap=0)
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk.text) <= 100
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip()
    assert " ".join(c.text for c in chunks) == text


def test_word_longer_than_max_chars_is_hard_cut() -> None:
    text = "x" * 250
    chunks = chunk_article(article(text), max_chars=100, overlap=0)
    assert [len(c.text) for c in chunks] == [100, 100, 50]


def test_chunking_is_deterministic() -> None:
    art = parse_file(SEED_FILES[0])
    assert chunk_article(art) == chunk_article(art)


def test_invalid_parameters_are_rejected() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        chunk_article(article("x."), max_chars=0)
    with pytest.raises(ValueError, match="overlap"):
        chunk_article(article("x."), overlap=-1)


def test_chunk_params_record_version_and_settings() -> None:
    assert chunk_params(700, 1) == {"chunker": CHUNKER_VERSION, "max_chars": 700, "overlap": 1}
    assert CHUNKER_VERSION == "sentences-v1"


_ALPHABET = st.sampled_from([*"abcXYZ 0123.!?,\n“”’-", "Mr. ", "\r\n", "\ufeff", "  "])


@settings(max_examples=200, deadline=None)
@given(
    body=st.lists(_ALPHABET, max_size=300).map("".join),
    header=st.sampled_from(["", "date 2023-01-13 ", "---\ntitle: x\n---\n", "\ufeff "]),
    max_chars=st.integers(min_value=5, max_value=200),
    overlap=st.integers(min_value=0, max_value=3),
)
def test_property_chunks_are_verbatim_and_cover_all_sentences(
    body: str, header: str, max_chars: int, overlap: int
) -> None:
    # Decode as open() would: universal newlines.
    text = (header + body).replace("\r\n", "\n").replace("\r", "\n")
    try:
        art = parse_text(Path("/tmp/prop.txt"), text)
    except ArticleSkipped:
        assume(False)
        return
    chunks = chunk_article(art, max_chars=max_chars, overlap=overlap)
    for no, chunk in enumerate(chunks):
        assert chunk.chunk_no == no
        assert art.text[chunk.start : chunk.end] == chunk.text
        assert 0 < len(chunk.text) <= max_chars
        assert chunk.start >= art.body_start
    for prev, nxt in pairwise(chunks):
        assert nxt.start > prev.start
        assert nxt.end > prev.end
    covered = [False] * len(text)
    for chunk in chunks:
        for i in range(chunk.start, chunk.end):
            covered[i] = True
    for s, e in split_sentences(text, art.body_start):
        # Whitespace where a long sentence was cut into pieces need not be covered.
        assert all(covered[i] or text[i].isspace() for i in range(s, e))


def test_seed_000_heading_never_ends_a_chunk() -> None:
    for max_chars in (150, 300, 450, 700):
        chunks = chunk_article(parse_file(SEEDS / "000_35dad6a91730d5a0.txt"), max_chars=max_chars)
        assert not any(c.text.endswith("Seeking a deal") for c in chunks)
        assert any(
            c.text.startswith("Seeking a deal") or "\n\nSeeking a deal\n\n" in c.text
            for c in chunks
        )


def test_seed_chunk_counts_are_stable() -> None:
    counts = [len(chunk_article(parse_file(p))) for p in SEED_FILES]
    assert counts == [7, 5]


def test_list_items_may_end_a_chunk() -> None:
    text = "Measures include:\n- advanced chips\n- lithography tools\n- deposition gear"
    chunks = chunk_article(article(text), max_chars=40, overlap=0)
    assert [c.text for c in chunks] == [
        "Measures include:\n- advanced chips",
        "- lithography tools\n- deposition gear",
    ]


def test_overlap_is_dropped_when_it_leaves_no_room_for_a_new_sentence() -> None:
    text = "Short one. " + "A much longer second sentence here."
    chunks = chunk_article(article(text), max_chars=36, overlap=1)
    assert [c.text for c in chunks] == ["Short one.", "A much longer second sentence here."]


def test_long_sentence_between_short_ones_keeps_exact_offsets() -> None:
    long = " ".join(["export"] * 40) + "."
    text = f"Before it. {long} After it."
    chunks = chunk_article(article(text), max_chars=60, overlap=1)
    assert chunks[0].text.startswith("Before it.")
    assert chunks[-1].text.endswith("After it.")
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text) <= 60


def test_chunk_records_carry_the_article_metadata_on_every_chunk(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        "---\ntitle: T\ndate: 2023-02-01\nsource: Reuters\nurl: https://x.test/a\n---\n"
        + "One sentence here. " * 60,
        encoding="utf-8",
    )
    article = parse_file(path)
    records = chunk_records(article, max_chars=200, overlap=1)
    chunks = chunk_article(article, max_chars=200, overlap=1)
    assert [(r.start, r.end, r.text) for r in records] == [(c.start, c.end, c.text) for c in chunks]
    assert {(r.title, r.source, r.url, r.content_hash, r.n_chunks) for r in records} == {
        ("T", "Reuters", "https://x.test/a", article.content_hash, len(chunks))
    }
