"""Tests for retrieval.parsing: discovery, bad inputs, formats, titles, ids, offsets."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval.errors import IngestError
from retrieval.parsing import (
    SUPPORTED_SUFFIXES,
    ArticleSkipped,
    article_id_for,
    body_start,
    discover,
    parse_file,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_000 = SEEDS / "000_35dad6a91730d5a0.txt"
SEED_004 = SEEDS / "004_14cfe8a582b153d6.txt"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def skip_reason(path: Path, **kwargs: int) -> str:
    with pytest.raises(ArticleSkipped) as info:
        parse_file(path, **kwargs)
    assert info.value.path == path
    assert "\n" not in info.value.reason
    return info.value.reason


# --- discover ---------------------------------------------------------------------------


def test_supported_suffixes_are_text_and_markdown() -> None:
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".markdown")


def test_discover_walks_folders_recursively_for_supported_suffixes(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", "x")
    b = write(tmp_path / "sub" / "deeper" / "b.md", "x")
    c = write(tmp_path / "sub" / "c.markdown", "x")
    write(tmp_path / "sub" / "d.pdf", "x")
    write(tmp_path / "e.TXT.bak", "x")
    assert discover([tmp_path]) == sorted([a.resolve(), b.resolve(), c.resolve()], key=str)


def test_discover_skips_hidden_files_and_folders(tmp_path: Path) -> None:
    keep = write(tmp_path / "keep.txt", "x")
    write(tmp_path / ".hidden.txt", "x")
    write(tmp_path / ".git" / "notes.txt", "x")
    write(tmp_path / "sub" / ".cache" / "deep.md", "x")
    assert discover([tmp_path]) == [keep.resolve()]


def test_discover_returns_explicit_files_whatever_their_suffix(tmp_path: Path) -> None:
    odd = write(tmp_path / "notes.rst", "x")
    assert discover([odd]) == [odd.resolve()]


def test_discover_deduplicates_and_sorts(tmp_path: Path) -> None:
    a = write(tmp_path / "b.txt", "x")
    b = write(tmp_path / "a.txt", "x")
    result = discover([a, tmp_path, tmp_path / "." / "a.txt", b])
    assert result == [b.resolve(), a.resolve()]


def test_discover_raises_for_a_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(IngestError, match=r"no such file or folder: .*nope"):
        discover([missing])


def test_discover_of_an_empty_folder_is_empty(tmp_path: Path) -> None:
    assert discover([tmp_path]) == []


# --- bad inputs -------------------------------------------------------------------------


def test_article_skipped_is_an_ingest_error(tmp_path: Path) -> None:
    assert issubclass(ArticleSkipped, IngestError)
    err = ArticleSkipped(tmp_path / "a.txt", "empty file")
    assert err.reason == "empty file"
    assert "empty file" in str(err)


def test_empty_file_is_skipped(tmp_path: Path) -> None:
    assert skip_reason(write(tmp_path / "a.txt", b"")) == "empty file"


def test_whitespace_only_file_is_skipped(tmp_path: Path) -> None:
    reason = skip_reason(write(tmp_path / "a.txt", " \n\t\r\n  \n"))
    assert reason.startswith("empty file")


def test_bom_only_file_is_skipped_as_empty(tmp_path: Path) -> None:
    assert skip_reason(write(tmp_path / "a.txt", b"\xef\xbb\xbf\n")).startswith("empty file")


def test_file_with_nul_byte_is_skipped_as_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"date 2023-01-13 Hello\x00 world")
    assert skip_reason(path) == "binary file"


def test_file_with_many_control_characters_is_skipped_as_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"abc\x01\x02\x03\x04 def ghi jk")
    assert skip_reason(path) == "binary file"


def test_a_few_control_characters_do_not_make_a_file_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Text\f with a form feed\x07 and bell in a long sentence.")
    assert parse_file(path).text.startswith("Text")


def test_non_utf8_file_is_skipped_with_the_offset(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"Caf\xe9 au lait, tr\xe8s bien")
    assert skip_reason(path) == "not UTF-8 text (invalid byte at offset 3)"


def test_oversized_file_is_skipped_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "x" * 101)
    assert skip_reason(path, max_bytes=100) == "larger than 100 bytes"


def test_oversized_reason_uses_thousands_separators(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "x" * 20)
    assert skip_reason(path, max_bytes=5) == "larger than 5 bytes"
    with pytest.raises(ArticleSkipped, match=r"larger than 5,000,000 bytes"):
        parse_file(write(tmp_path / "big.txt", b"a" * 5_000_001))


def test_file_at_exactly_max_bytes_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "y" * 100)
    assert parse_file(path, max_bytes=100).text == "y" * 100


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read mode-000 files"
)
def test_unreadable_file_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Some text.")
    path.chmod(0)
    try:
        assert skip_reason(path) == "unreadable: Permission denied"
    finally:
        path.chmod(0o644)


def test_directory_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert skip_reason(folder) == "is a directory"


def test_missing_file_is_skipped_as_unreadable(tmp_path: Path) -> None:
    assert skip_reason(tmp_path / "gone.txt").startswith("unreadable: ")


@pytest.mark.parametrize("header", ["date 2023-13-45", "date 13/01/2023", "date 2023-02-30"])
def test_malformed_seed_date_is_skipped(tmp_path: Path, header: str) -> None:
    path = write(tmp_path / "a.txt", f"{header} Some article text.")
    assert skip_reason(path) == f"malformed date {header!r} (expected date YYYY-MM-DD)"


def test_prose_starting_with_the_word_date_is_plain_text(tmp_path: Path) -> None:
    article = parse_file(write(tmp_path / "a.txt", "date night was fun. It rained."))
    assert article.date is None
    assert article.body_start == 0


@pytest.mark.parametrize(
    "block",
    ["title: [unclosed", "- just\n- a list", "plain scalar"],
)
def test_malformed_front_matter_is_skipped(tmp_path: Path, block: str) -> None:
    path = write(tmp_path / "a.md", f"---\n{block}\n---\nBody text.\n")
    assert skip_reason(path).startswith("malformed front matter: ")


def test_unclosed_front_matter_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\ntitle: x\nBody text.\n")
    assert skip_reason(path).startswith("malformed front matter: ")


@pytest.mark.parametrize("value", ["2023-13-45", "'13/01/2023'", "yesterday", "2023-1-5"])
def test_malformed_front_matter_date_is_skipped(tmp_path: Path, value: str) -> None:
    path = write(tmp_path / "a.md", f"---\ndate: {value}\n---\nBody text.\n")
    assert skip_reason(path).startswith("malformed date ")


# --- formats ----------------------------------------------------------------------------


def test_seed_000_parses_date_title_id_and_body() -> None:
    article = parse_file(SEED_000)
    assert article.date == dt.date(2023, 1, 13)
    assert article.id == "000_35dad6a91730d5a0"
    assert article.text == SEED_000.read_text(encoding="utf-8")
    assert article.text[article.body_start :].startswith("WASHINGTON - When the Biden")
    assert article.title.startswith("When the Biden administration unveiled aggressive export")
    assert article.title.endswith("…")
    assert len(article.title) <= 90
    assert article.path == str(SEED_000.resolve())
    assert article.source is None
    assert article.url is None


def test_seed_004_parses_date_and_body() -> None:
    article = parse_file(SEED_004)
    assert article.date == dt.date(2023, 1, 19)
    assert article.id == "004_14cfe8a582b153d6"
    assert article.text[article.body_start :].startswith("Kurt Campbell, the White House’s")
    assert article.title.startswith("Kurt Campbell, the White House’s Indo-Pacific coordinator")


def test_seed_date_may_sit_on_its_own_line(tmp_path: Path) -> None:
    article = parse_file(write(tmp_path / "a.txt", "\n\ndate 2023-02-01\n\nTOKYO - Body here."))
    assert article.date == dt.date(2023, 2, 1)
    assert article.text[article.body_start :] == "TOKYO - Body here."


def test_front_matter_fields_are_used(tmp_path: Path) -> None:
    text = (
        "---\ntitle: Dutch curbs\ndate: 2023-03-08\nurl: https://example.org/a\n"
        "source: Reuters\nid: dutch-curbs\nauthor: ignored\n---\n\nThe Dutch government said.\n"
    )
    article = parse_file(write(tmp_path / "a.md", text))
    assert article.title == "Dutch curbs"
    assert article.date == dt.date(2023, 3, 8)
    assert article.url == "https://example.org/a"
    assert article.source == "Reuters"
    assert article.id == "dutch-curbs"
    assert article.text[article.body_start :] == "The Dutch government said.\n"


def test_front_matter_date_may_be_a_quoted_string(tmp_path: Path) -> None:
    article = parse_file(write(tmp_path / "a.md", "---\ndate: '2023-03-08'\n---\nBody.\n"))
    assert article.date == dt.date(2023, 3, 8)


def test_front_matter_fields_are_optional(tmp_path: Path) -> None:
    article = parse_file(write(tmp_path / "Some Note.md", "---\n---\nJust a body. More.\n"))
    assert article.date is None
    assert article.id == "some-note"
    assert article.title == "Just a body."


def test_plain_text_has_no_date(tmp_path: Path) -> None:
    article = parse_file(write(tmp_path / "p.txt", "  Plain article. Second sentence.\n"))
    assert article.date is None
    assert article.body_start == 2
    assert article.title == "Plain article."


@pytest.mark.parametrize(
    "text",
    [
        " date 2023-01-13 WASHINGTON - When the Biden administration acted.",
        "\n\ndate 2023-02-01\n\nTOKYO - Body here.",
        "---\ntitle: Dutch curbs\ndate: 2023-03-08\n---\n\nThe Dutch government said.\n",
        "  Plain article. Second sentence.\n",
        "date: soon. The word date opens this body.",
    ],
)
def test_body_start_agrees_with_the_parsed_article(tmp_path: Path, text: str) -> None:
    # Answering finds the body without parsing the article (no YAML on that path).
    assert body_start(text) == parse_file(write(tmp_path / "a.md", text)).body_start


# --- titles and ids ---------------------------------------------------------------------


def test_heading_line_becomes_the_title(tmp_path: Path) -> None:
    article = parse_file(write(tmp_path / "a.txt", "Chip talks stall\n\nOfficials said so."))
    assert article.title == "Chip talks stall"


def test_markdown_heading_hashes_are_stripped_from_the_title(tmp_path: Path) -> None:
    article = parse_file(write(tmp_path / "a.md", "## Chip talks stall\n\nOfficials said."))
    assert article.title == "Chip talks stall"


def test_first_line_ending_with_a_period_is_not_a_heading(tmp_path: Path) -> None:
    article = parse_file(write(tmp_path / "a.txt", "Talks stalled. Then resumed.\n\nMore."))
    assert article.title == "Talks stalled."


@pytest.mark.parametrize(
    ("opening", "title"),
    [
        ("TOKYO (Reuters) - Japan will curb exports. More.", "Japan will curb exports."),
        ("THE HAGUE - Dutch curbs follow. More.", "Dutch curbs follow."),
        ("NEW YORK, Jan 5 (Reuters) - Stocks fell. More.", "Stocks fell."),
    ],
)
def test_dateline_is_removed_from_a_derived_title(tmp_path: Path, opening: str, title: str) -> None:
    assert parse_file(write(tmp_path / "a.txt", opening)).title == title


def test_long_first_sentence_is_cut_at_a_word_boundary(tmp_path: Path) -> None:
    sentence = " ".join(["semiconductor"] * 20) + "."
    title = parse_file(write(tmp_path / "a.txt", sentence)).title
    assert len(title) <= 90
    assert title.endswith("semiconductor…")


def test_id_is_a_slug_of_the_file_stem() -> None:
    assert article_id_for(Path("/x/000_35dad6a91730d5a0.txt")) == "000_35dad6a91730d5a0"
    assert article_id_for(Path("My Article (v2).md")) == "my-article-v2"
    assert article_id_for(Path("---.txt")) == "article"
    assert article_id_for(Path("Ünïcode.txt")) == "n-code"


def test_content_hash_is_sha256_of_the_decoded_text(tmp_path: Path) -> None:
    article = parse_file(write(tmp_path / "a.txt", "One.\r\nTwo.\r\n"))
    assert article.content_hash == hashlib.sha256(b"One.\nTwo.\n").hexdigest()


def test_same_text_with_other_line_endings_has_the_same_hash(tmp_path: Path) -> None:
    lf = parse_file(write(tmp_path / "lf.txt", "date 2023-01-13 One.\n\nTwo.\n"))
    crlf = parse_file(write(tmp_path / "crlf.txt", "date 2023-01-13 One.\r\n\r\nTwo.\r\n"))
    assert lf.content_hash == crlf.content_hash


# --- offsets: Article.text is exactly what open(...).read() returns ---------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbfdate 2023-01-13 BOM first.\r\nSecond line.\r\n",
        b"date 2023-01-13\r\n\r\nCRLF body.\r\n\r\nMore.\r\n",
        b"Old Mac\rline endings.\r\rAnd mixed\r\n.\n",
        b"\xef\xbb\xbf---\r\ntitle: T\r\n---\r\nBody.\r\n",
    ],
)
def test_text_equals_what_open_read_returns(tmp_path: Path, raw: bytes) -> None:
    path = write(tmp_path / "a.txt", raw)
    with open(path, encoding="utf-8") as f:
        assert parse_file(path).text == f.read()


def test_bom_is_kept_at_offset_zero_and_skipped_as_whitespace(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"\xef\xbb\xbf date 2023-01-13 Body.")
    article = parse_file(path)
    assert article.text[0] == "\ufeff"
    assert article.date == dt.date(2023, 1, 13)
    assert article.text[article.body_start :] == "Body."


def test_front_matter_after_a_bom_is_recognised(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", b"\xef\xbb\xbf---\ntitle: T\n---\nBody.")
    article = parse_file(path)
    assert article.title == "T"
    assert article.text[article.body_start :] == "Body."


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(["a", "Z", " ", "\r\n", "\r", "\n", "’", "“", "é", "\u2028", "\x85", "."]),
        min_size=1,
        max_size=60,
    ),
    st.booleans(),
)
def test_property_text_is_what_open_read_returns(
    tmp_path: Path, parts: list[str], bom: bool
) -> None:
    raw = ("\ufeff" if bom else "") + "date 2023-01-13 Body " + "".join(parts)
    path = write(tmp_path / "prop.txt", raw)
    with open(path, encoding="utf-8") as f:
        expected = f.read()
    article = parse_file(path)
    assert article.text == expected
    assert article.text[article.body_start :].startswith("Body")


# --- more edge cases ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["date 2023-01-13\n\n  \n", "---\ntitle: Only a title\n---\n"])
def test_header_without_article_text_is_skipped(tmp_path: Path, text: str) -> None:
    assert skip_reason(write(tmp_path / "a.md", text)) == "no article text after the header"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_skipped_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert skip_reason(fifo) == "not a regular file"


@pytest.mark.parametrize("header", ["Date 2023-01-13", "date: 2023-01-13", "date\t2023-01-13"])
def test_seed_date_header_variants_are_accepted(tmp_path: Path, header: str) -> None:
    article = parse_file(write(tmp_path / "a.txt", f"{header} Body text."))
    assert article.date == dt.date(2023, 1, 13)
    assert article.text[article.body_start :] == "Body text."


def test_front_matter_keys_are_case_insensitive_and_values_trimmed(tmp_path: Path) -> None:
    text = "---\nTitle: '  Dutch   curbs '\nSOURCE: Reuters\nid: ''\n---\nBody.\n"
    article = parse_file(write(tmp_path / "x.md", text))
    assert article.title == "Dutch curbs"
    assert article.source == "Reuters"
    assert article.id == "x"


def test_front_matter_id_is_made_safe_for_chunk_ids(tmp_path: Path) -> None:
    article = parse_file(write(tmp_path / "x.md", "---\nid: Reuters:2023/01 x\n---\nBody.\n"))
    assert article.id == "reuters-2023-01-x"


def test_front_matter_date_and_time_keeps_the_date(tmp_path: Path) -> None:
    text = "---\ndate: 2023-03-08T10:00:00Z\n---\nBody.\n"
    article = parse_file(write(tmp_path / "x.md", text))
    assert article.date == dt.date(2023, 3, 8)


def test_two_letter_capitals_are_not_taken_for_a_dateline(tmp_path: Path) -> None:
    article = parse_file(write(tmp_path / "a.txt", "US - Japan talks resume. More."))
    assert article.title == "US - Japan talks resume."


def test_article_skipped_survives_pickling(tmp_path: Path) -> None:
    err = ArticleSkipped(tmp_path / "a.txt", "binary file")
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.path, copy.reason, str(copy)) == (err.path, err.reason, str(err))
