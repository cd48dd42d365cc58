"""Who is speaking in a transcript's turns."""

from __future__ import annotations

from retrieval.turns import is_label, turns, without_label

TITLE = "Press Conference by Minister Nishimura (Excerpt)"
METI = (
    "Press Conference by Minister Nishimura (Excerpt)\n\n"
    "Q: Yesterday, China announced export restrictions on gallium. What is your reaction?\n\n"
    "A: I understand that the measure was announced yesterday.\n\n"
    "We will examine its effect on Japan.\n"
)
MFA = (
    "Reuters: The Dutch minister said new rules would come before the summer. "
    "What's China's comment?\n\n"
    "Mao Ning: We noted the reports. We disapprove of the Dutch side's interference.\n"
)


def test_an_answer_turn_is_said_by_the_one_the_page_is_about() -> None:
    q, a = turns(METI, TITLE)
    assert q.speaker == ""  # an unnamed reporter
    assert a.speaker == TITLE
    assert METI[a.start : a.end].startswith("A: I understand")
    assert METI[a.start : a.end].rstrip().endswith("its effect on Japan.")  # to the end


def test_a_named_label_is_its_speaker() -> None:
    assert [t.speaker for t in turns(MFA)] == ["Reuters", "Mao Ning"]


def test_each_turn_keeps_its_label_as_the_transcript_writes_it() -> None:
    assert [t.label for t in turns(METI, TITLE)] == ["Q", "A"]


def test_text_without_two_labelled_turns_is_no_transcript() -> None:
    assert (
        turns("Note: this is a provisional translation.\n\nThe rules apply from 1 September.") == ()
    )


REMARKS = (
    "President Biden. Well, Mr. Prime Minister, it's great to see you again.\n\n"
    "And you're welcome despite the World Cup match.\n\n"
    "Prime Minister Rutte. Yes, sorry.\n\n"
    "President Biden. Our countries have been in just lockstep.\n\n"
    "Prime Minister Rutte. Thank you.\n"
)


def test_full_stop_labels_of_recurring_speakers_are_turns() -> None:
    spoken = turns(REMARKS)
    assert [t.speaker for t in spoken] == ["President Biden", "Prime Minister Rutte"] * 2
    assert [t.label for t in spoken] == [t.speaker for t in spoken]
    first = REMARKS[spoken[0].start : spoken[0].end]
    assert "World Cup match" in first  # a turn runs on over paragraphs to the next label


def test_a_line_opening_with_a_name_once_is_prose_not_a_transcript() -> None:
    prose = "Prime Minister Rutte. The Dutch leader met Biden.\n\nPresident Biden. Also here.\n"
    assert turns(prose) == ()


def test_a_full_stop_label_alone_is_a_label_and_the_words_after_it_are_not() -> None:
    rutte = next(t for t in turns(REMARKS) if t.speaker == "Prime Minister Rutte")
    turn = (rutte.start, rutte.end, rutte.speaker, rutte.label)
    at = REMARKS.index("Prime Minister Rutte.")
    assert is_label("Prime Minister Rutte.", at, turn)
    assert not is_label("Yes, sorry.", at + len("Prime Minister Rutte. "), turn)
    assert not is_label("Prime Minister Rutte.", at, None)


def test_a_passage_knows_who_says_each_of_its_sentences(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from retrieval.context import with_speakers
    from retrieval.models import Passage
    from retrieval.reading import read_article_text

    path = tmp_path / "mfa.txt"
    path.write_text(MFA, encoding="utf-8")
    at = MFA.index("We noted")
    p = Passage("mfa", 0, 0, len(MFA), MFA, "", None, str(path))
    [marked] = with_speakers([p], read_article_text)
    assert marked.speaker_of(at, at + len("We noted the reports.")) == "Mao Ning"
    assert marked.speaker_of(0, 10) == "Reuters"


def test_a_passage_names_the_turn_a_sentence_lies_in_only_past_the_turns_label(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from retrieval.context import with_speakers
    from retrieval.models import Passage
    from retrieval.reading import read_article_text

    path = tmp_path / "mfa.txt"
    path.write_text(MFA, encoding="utf-8")
    p = Passage("mfa", 0, 0, len(MFA), MFA, "", None, str(path))
    [marked] = with_speakers([p], read_article_text)
    noted, disapprove = MFA.index("Mao Ning: We noted"), MFA.index("We disapprove")
    assert marked.unlabelled_turn(noted, noted + 10) == ""  # the quote shows "Mao Ning:"
    assert marked.unlabelled_turn(disapprove, disapprove + 10) == "Mao Ning"
    prose = Passage("news", 0, 0, 10, MFA[:10], "", None, str(path))
    assert prose.unlabelled_turn(0, 5) == ""


def test_a_timeline_statement_further_into_a_turn_names_its_speaker(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from retrieval.context import with_speakers
    from retrieval.models import Passage
    from retrieval.reading import read_article_text
    from retrieval.timeline import build_timeline

    path = tmp_path / "meti.txt"
    path.write_text(METI, encoding="utf-8")
    p = Passage("meti", 0, 0, len(METI), METI, TITLE, dt.date(2023, 7, 4), str(path))
    [p] = with_speakers([p], read_article_text)

    def examine_first(topic: str, sentences):  # type: ignore[no-untyped-def]
        return [float("examine" in s) for s in sentences]

    entries = build_timeline("gallium", [p], examine_first, read_article_text, per_document=3)
    labels = {e.citation.quote: e.label for e in entries}
    assert labels["We will examine its effect on Japan."] == "A"
    assert labels["A: I understand that the measure was announced yesterday."] == ""
    examine = next(e for e in entries if e.label)
    assert examine.to_dict()["label"] == "A"  # `chipbot timeline --json` carries it


PRESS_CONFERENCE = (
    "date 2023-07-04\n\n"
    "Press Conference by Minister Nishimura (Excerpt)\n\n"
    "Q: Yesterday, the Chinese government announced export restrictions on gallium and "
    "germanium. What is your reaction?\n\n"
    "A: I understand that China announced an export control measure on items related to "
    "gallium and germanium. We will examine its impact on Japanese companies.\n"
)
NEWS = (
    "date 2023-01-13\n\n"
    "Speaking in Washington last week, Japan's trade minister Yasutoshi Nishimura promised "
    "to work more closely with Washington on export controls, although he did not say "
    "whether Tokyo would match the US restrictions.\n"
)


def test_what_an_official_said_is_found_in_the_answers_of_their_press_conference(
    tmp_path, embedder
) -> None:  # type: ignore[no-untyped-def]
    from retrieval.engine import Chipbot
    from retrieval.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "meti-2023-07-04.txt").write_text(PRESS_CONFERENCE, encoding="utf-8")
    (corpus / "news-2023-01-13.txt").write_text(NEWS, encoding="utf-8")
    bot = Chipbot(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    bot.ingest([corpus])
    answer = bot.ask("What did Nishimura say about gallium?")
    # The answer's sentence never names him: the turn's "A:" label and the page's
    # heading do.
    assert answer.citations[0].quote.startswith("A: I understand that China announced")


def test_a_turn_s_opening_sentence_is_read_without_its_label() -> None:
    text = "Reuters: Any comment?\n\nMao Ning: We noted the reports. We disapprove.\n"
    reply = turns(text)[1]
    turn = (reply.start, reply.end, reply.speaker)
    assert without_label("Mao Ning: We noted the reports.", reply.start, turn) == (
        "We noted the reports."
    )


def test_a_later_sentence_of_a_turn_keeps_every_word() -> None:
    text = "Reuters: Any comment?\n\nMao Ning: We noted the reports. Note: it is so.\n"
    reply = turns(text)[1]
    turn = (reply.start, reply.end, reply.speaker)
    later = text.index("Note:")
    assert without_label("Note: it is so.", later, turn) == "Note: it is so."
    assert without_label("Note: it is so.", later, None) == "Note: it is so."
