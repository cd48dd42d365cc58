"""Offline follow-up rewriting: "And the Netherlands?" becomes a question that stands alone.

No model is involved: a small grammar over the typed mentions of
:mod:`retrieval.answer.mentions`. The follow-up is read as one of

- a **fragment** ("And the Netherlands?", "What about ASML?", "And in March 2023?",
  "What about before that?"): each thing it names replaces the thing *of the same kind*
  in the previous question (a country a country, a person a person, a date a date), the
  one in the subject's place when there are several, unless the follow-up's own words
  say which ("And with the Netherlands?" replaces the one after "with");
- a **bare question word** ("Why?", "Why not?", "When did that happen?"): the previous
  question re-asked with that word ("Why has Japan not agreed to ...?");
- **"Who said that?"**: who said what the previous question was about;
- a **full question with a pronoun** ("What did he say?", "Does it rely on China?"): the
  pronoun becomes the person, company or country it stands for, looked up in the earlier
  questions, latest first.

Anything else already stands alone and is returned unchanged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.answer.mentions import (
    ACTORS,
    ADJECTIVE,
    AUXILIARIES,
    COUNTRY,
    DATE,
    IRREGULAR_PAST,
    ORG,
    PERSON,
    PHRASE,
    TERRITORY,
    THING,
    VERBS,
    Mention,
    find_mentions,
    is_verb,
    past,
    place_adjective,
    place_name,
    third_person,
)
from retrieval.text import tokenize

logger = logging.getLogger(__name__)

_WH_WORDS = frozenset({"what", "who", "whom", "whose", "when", "where", "why", "how", "which"})
_IMPERATIVES = frozenset(
    {
        "tell", "explain", "describe", "list", "name", "give", "show", "summarise", "summarize",
        "compare", "please",
    }
)  # fmt: skip
_LEAD = re.compile(
    r"^(?:(?:and|but|also|so|ok|okay|then)\b[\s,]*)*"
    r"(?:(?:what|how)\s+about\b|what\s+of\b|as\s+for\b|same\s+for\b)?[\s,]*",
    re.IGNORECASE,
)
_BARE_WH = re.compile(
    r"^(?P<wh>why|when|where|how\s+come|how\s+so|how)(?P<neg>\s+not)?"
    r"(?:\s+(?:is|was|did|does|do|would)\s+(?:that|this|it)"
    r"(?:\s+(?:be|happen|happened|so|the\s+case))?|\s+so|\s+exactly|\s+then)?\W*$",
    re.IGNORECASE,
)
_WHO_SAID = re.compile(
    r"^who\s+(?:said|says|stated|claimed|wrote|announced|made|reported)\s+(?:that|this|it|so)"
    r"(?:\s+(?:claim|statement|remark|figure|quote))?\W*$",
    re.IGNORECASE,
)
_RELATIVE_TIME = re.compile(
    r"^(?P<rel>before|after|since|prior\s+to|until)\s+(?:that|then|this)\W*$", re.IGNORECASE
)
_PRONOUN = re.compile(
    r"\b(?:(?P<p>he|him|his|she|her|it|its|they|them|their|then)"
    r"|(?P<d>that|this)(?=\s*(?:[?.!]|$|\s(?:is|was|mean|means|happen|happened|true)\b)))\b",
    re.IGNORECASE,
)
# "Is it true that ...", "consider it necessary": "it" that stands for nothing.
_EXPLETIVE_IT = re.compile(
    r"it(?=(?:\s+\w+){0,2}?\s+(?:true|possible|likely|clear|necessary|important|fair|hard"
    r"|difficult|easy|worth|known|reported|said)\b)",
    re.IGNORECASE,
)
_NOUN_PHRASE = re.compile(r"\b(?:the|a|an)\s+[\w-]+", re.IGNORECASE)
# "What are the US export controls?": the thing a later "it" may stand for.
_TOPIC = re.compile(r"^(?:what|who)\s+(?:is|are|was|were)\s+(?P<np>[^?]+?)\W*$", re.IGNORECASE)
_PREPOSITIONS = frozenset(
    {
        "with", "to", "from", "on", "for", "against", "by", "about", "in", "at", "of", "into",
        "over", "between", "among", "than",
    }
)  # fmt: skip
_DETERMINERS = frozenset(
    {
        "the", "a", "an", "its", "their", "his", "her", "this", "that", "these", "those", "our",
        "your",
    }
)  # fmt: skip
_BE = frozenset({"is", "are", "was", "were", "am"})
# Words between a subject and its verb that are no part of the subject ("Has the
# Netherlands not agreed", "Has Japan still not joined").
_ADVERBS = frozenset(
    {
        "not", "never", "also", "still", "yet", "already", "ever", "just", "really",
        "even", "only", "finally", "now", "then", "so", "actually", "since",
    }
)  # fmt: skip
_NEGATIVE = {"will": "won't", "can": "can't", "shall": "shan't", "am": "am not"}
# Kinds a pronoun may stand for, most likely first.
_PRONOUN_KINDS: dict[str, tuple[str, ...]] = {
    "he": (PERSON,),
    "she": (PERSON,),
    "it": (ORG, COUNTRY, TERRITORY),
    "they": (COUNTRY, ORG, PERSON, TERRITORY),
    "then": (DATE,),
}
_PRONOUN_CLASS = {
    "him": "he",
    "his": "he",
    "her": "she",
    "its": "it",
    "them": "they",
    "their": "they",
}
_POSSESSIVE_PRONOUNS = frozenset({"his", "its", "their"})


@dataclass(frozen=True)
class _Clause:
    """A question cut at its auxiliary: ``wh`` ``aux`` ``subject`` ``rest``."""

    text: str  # the question without its final punctuation
    wh: str  # "" for a yes/no question, else the opening phrase ("What share of the market")
    aux: str  # "" when there is none ("Who met Kishida?")
    negated: bool
    subject: str  # "" when it could not be found
    subject_start: int  # offsets of the subject in ``text`` (-1 when not found)
    subject_end: int
    rest: str  # after the subject


def _parse(question: str) -> _Clause:
    text = question.strip().rstrip("?!. ").strip()
    words = list(re.finditer(r"[\w’'.-]+", text))
    none = _Clause(text, "", "", False, "", -1, -1, "")
    if not words:
        return none
    first = words[0][0].lower()
    aux_index = -1
    if _aux(first):
        aux_index = 0
    elif first in _WH_WORDS:
        for i, word in enumerate(words[1:7], start=1):
            if _aux(word[0].lower()):
                aux_index = i
                break
            if is_verb(word[0]):
                break  # "Who said ...", "Which company relies ...": the wh-word is the subject
    if aux_index < 0:
        return _Clause(text, text, "", False, "", -1, -1, "")
    aux_word = words[aux_index]
    aux, negated = _aux(aux_word[0].lower()) or ("", False)
    wh = text[: aux_word.start()].strip()
    after = aux_word.end()
    not_word = re.match(r"\s+not\b", text[after:])
    if not_word:
        negated, after = True, after + not_word.end()
    start = after + len(text[after:]) - len(text[after:].lstrip())
    end = _subject_end(text, start, aux)
    if end < 0:
        return _Clause(text, wh, aux, negated, "", -1, -1, text[start:].strip())
    return _Clause(text, wh, aux, negated, text[start:end], start, end, text[end:].strip())


def _aux(word: str) -> tuple[str, bool] | None:
    """``("has", True)`` for "hasn't", ``("did", False)`` for "did"; None for other words."""
    word = word.replace("’", "'")
    if word in AUXILIARIES:
        return word, False
    irregular = {"won't": "will", "can't": "can", "shan't": "shall"}
    if word in irregular:
        return irregular[word], True
    if word.endswith("n't") and word[:-3] in AUXILIARIES:
        return word[:-3], True
    return None


def _subject_end(text: str, start: int, aux: str) -> int:
    """Where the subject that starts at ``start`` ends (-1 when that is unclear)."""
    pronoun = re.match(r"(?:there|it|he|she|they|this|that|we|you|i)\b", text[start:], re.I)
    if pronoun:
        return start + pronoun.end()
    mentions = find_mentions(text)
    opening = next((m for m in mentions if _starts_at(text, m, start)), None)
    if (
        opening is not None
        and opening.form != ADJECTIVE
        and not opening.possessive
        and not _modifies_next(text, opening.end)
    ):
        return opening.end
    # A noun phrase ("Japanese companies", "Japan's leading maker"): up to the main verb.
    search_from = opening.end if opening is not None else start
    previous = ""
    for word in re.finditer(r"[\w’'.-]+", text[search_from:]):
        # After a determiner comes a noun ("the ban"), and a phrase with no name in front
        # needs a noun before its verb ("the talks ended").
        noun_slot = previous in _DETERMINERS or (not previous and opening is None)
        if is_verb(word[0]) and not noun_slot:
            return len(text[: search_from + word.start()].rstrip())
        previous = word[0].lower()
    if aux in _BE and opening is not None:
        return opening.end  # "Is Japan's position clear": the copula's predicate follows
    return -1


def _modifies_next(text: str, end: int) -> bool:
    """Whether the name ending at ``end`` qualifies a noun after it ("the US export
    rules were…"): a lowercase word follows that is no verb, preposition or auxiliary."""
    following = _next_word(text, end)
    return (
        following.islower()
        and following not in _PREPOSITIONS
        and following not in _ADVERBS
        and not _aux(following)
        and not is_verb(following)
    )


def _starts_at(text: str, mention: Mention, start: int) -> bool:
    """True when ``mention`` opens the phrase at ``start`` ("the" may come first)."""
    if mention.start == start:
        return True
    return bool(re.fullmatch(r"(?:the|a|an)\s+", text[start : mention.start], re.IGNORECASE))


# -- the public API ----------------------------------------------------------------------


def is_followup(question: str) -> bool:
    """True when ``question`` leans on an earlier one ("And the Netherlands?", "Why?")."""
    return _form(question)[0] != "standalone"


def condense_offline(question: str, history: Sequence[str]) -> str:
    """A standalone version of ``question`` given the earlier questions (oldest first).

    Earlier questions may be follow-ups themselves (a Slack thread keeps them as typed),
    so each is made standalone in turn before the latest one is used.
    """
    if not history:
        return question
    context: list[str] = []
    for earlier in history:
        context.append((_rewrite(earlier, context) if context else earlier).strip())
    rewritten = _rewrite(question, context)
    if rewritten != question:
        logger.debug("follow-up %r read as %r", question, rewritten)
    return rewritten


def _form(question: str) -> tuple[str, str]:
    """What kind of question this is, and its body (a leading "And"/"What about" removed)."""
    stripped = question.strip()
    lead = _LEAD.match(stripped)
    body = stripped[lead.end() :] if lead else stripped
    has_lead = bool(lead and lead.end())
    if not body.strip(" ?.!"):
        return "standalone", stripped
    if _BARE_WH.match(body):
        return "wh", body
    if _WHO_SAID.match(body):
        return "who-said", body
    first = body.split()[0].lower().strip("?,.!")
    if first in _WH_WORDS or _aux(first) or first in _IMPERATIVES:
        references = _outward_references(body)
        return ("references" if references else "standalone"), body
    words = len(body.split())
    named = [m for m in find_mentions(body) if m.kind != THING]
    if has_lead and words <= 10:
        return "fragment", body
    if words <= 6 and (named or _RELATIVE_TIME.match(body)):
        return "fragment", body
    return "standalone", stripped


def _rewrite(question: str, context: Sequence[str]) -> str:
    form, body = _form(question)
    previous = context[-1]
    if form == "wh":
        match = _BARE_WH.match(body)
        assert match is not None
        wh = re.sub(r"\s+", " ", match["wh"].lower())
        wh = "why" if wh in {"how come", "how so"} else wh
        return _ask_again(previous, wh, negate=bool(match["neg"]))
    if form == "who-said":
        return _who_said(previous)
    if form == "fragment":
        return _swap(body, previous) or _join(previous, body)
    if form == "references":
        return _resolve_references(body, context) or _join(previous, body)
    if _points_back(body, previous):
        return _join(previous, body)
    return question


def _points_back(question: str, previous: str) -> bool:
    """Whether ``question``, naming nobody and nothing, speaks of "the X" that
    ``previous`` spoke of: "Did the meeting go ahead?" after "When was Rutte due to meet
    Biden?" asks about that meeting."""
    if any(m.kind != THING for m in find_mentions(question)):
        return False
    earlier = set(tokenize(previous))
    definite = (
        m.group(0).split()[1]
        for m in _NOUN_PHRASE.finditer(question)
        if m.group(0).lower().startswith("the ")
    )
    return any(earlier & set(tokenize(head)) for head in definite)


def _join(previous: str, followup: str) -> str:
    """The last resort: both questions, so retrieval sees every word."""
    return f"{previous.rstrip('?. ')} — {followup.rstrip('?. ')}?"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    """Lowercase the first word unless it is a name ("What ..." → "what ...", "Japan" stays)."""
    first = text.split(" ", 1)[0]
    if first in {"What", "Who", "Which", "When", "Where", "Why", "How", "Whom", "Whose", "The"}:
        return text[:1].lower() + text[1:]
    return text


# -- "Why?", "When did that happen?" ------------------------------------------------------


def _ask_again(previous: str, wh: str, *, negate: bool) -> str:
    """The previous question asked with ``wh``: "Has Japan agreed to X?" + "Why not?" →
    "Why has Japan not agreed to X?"."""
    clause = _parse(previous)
    question_word = _capitalise(wh)
    fallback = f"{clause.text}, and {wh}{' not' if negate else ''}?"
    if not clause.aux:
        return fallback
    opening = clause.wh.lower()
    if opening in {"why", "when", "where", "how"}:
        if opening == wh:
            return previous
        core = clause.text[len(clause.wh) :].strip()
        return f"{question_word} {core}?"
    if opening and opening not in {"what", "who", "whom"}:
        return fallback  # "What share of the market do ...?": no single gap to point at
    if opening and clause.aux in _BE and not _has_verb(clause.rest):
        return fallback  # "What is ASML?" has no statement to ask why about
    body = _negated(clause) if negate and not clause.negated else _affirmative(clause)
    if opening:
        body = _fill_gap(body)
    return f"{question_word} {body}?"


def _has_verb(text: str) -> bool:
    return any(is_verb(w) for w in re.findall(r"[\w’'-]+", text))


def _affirmative(clause: _Clause) -> str:
    """``aux subject rest`` as written ("has Japan agreed to X")."""
    after_wh = clause.text[len(clause.wh) :].strip()
    return after_wh[:1].lower() + after_wh[1:]


def _negated(clause: _Clause) -> str:
    """``aux subject not rest`` ("has Japan not agreed to X"), or "hasn't" when the
    subject's end is unknown."""
    if clause.subject:
        return " ".join(w for w in (clause.aux, clause.subject, "not", clause.rest) if w)
    negative = _NEGATIVE.get(clause.aux, clause.aux + "n't")
    return " ".join(w for w in (negative, clause.rest) if w)


def _fill_gap(body: str) -> str:
    """Put "that" where the question's "what" came from: "did X say about Y" → "did X say
    that about Y"; "has Japan agreed to" → "has Japan agreed to that"."""
    words = body.split(" ")
    last = words[-1].lower()
    if last in _PREPOSITIONS or is_verb(last):
        return body + " that"
    for i, word in enumerate(words[2:-1], start=2):
        if is_verb(word) and words[i + 1].lower() in _PREPOSITIONS:
            return " ".join([*words[: i + 1], "that", *words[i + 1 :]])
    return body + " that"


# -- "Who said that?" ----------------------------------------------------------------------


def _who_said(previous: str) -> str:
    """Who said what the previous question asked about: "Is there a similar vision?" →
    "Who said there is a similar vision?"."""
    clause = _parse(previous)
    opening = clause.wh.lower()
    if clause.aux and clause.subject:
        statement = _statement(clause)
        if not opening or opening in {"why", "how", "when", "where"}:
            return f"Who said {statement}?"
        return f"Who said {_lower_first(clause.wh)} {statement}?"
    return f"Who said {_lower_first(clause.text)}?"


def _statement(clause: _Clause) -> str:
    """The clause as a statement: "has Japan agreed" → "Japan has agreed", "did Biden
    meet Kishida" → "Biden met Kishida"."""
    subject = _mid_sentence(clause.subject)
    if clause.aux in {"do", "does", "did"} and not clause.negated and clause.rest:
        verb, _, tail = clause.rest.partition(" ")
        lowered = verb.lower()
        if lowered in VERBS or lowered in IRREGULAR_PAST:
            inflected = past(lowered) if clause.aux == "did" else lowered
            if clause.aux == "does":
                inflected = third_person(lowered)
            return " ".join(w for w in (subject, inflected, tail) if w)
    negation = "not" if clause.negated else ""
    return " ".join(w for w in (subject, clause.aux, negation, clause.rest) if w)


# -- "And the Netherlands?", "And in March 2023?" -----------------------------------------


def _swap(fragment: str, previous: str) -> str | None:
    """Put each thing the fragment names in place of the same kind of thing in the previous
    question; None when nothing fits."""
    relative = _RELATIVE_TIME.match(fragment.strip())
    old = [m for top in find_mentions(previous) for m in top.all()]
    clause = _parse(previous)
    edits: list[tuple[int, int, str]] = []
    if relative:
        dates = [m for m in old if m.kind == DATE]
        if not dates:
            return None
        slot = dates[0]
        edits.append((slot.start, slot.end, f"{relative['rel'].lower()} {slot.core}"))
        return _apply(previous, edits)
    new = [m for m in find_mentions(fragment) if m.kind != THING]
    if not new:
        return None
    for mention in new:
        found = _slot_for(mention, fragment, previous, old, clause, edits)
        if found is None:
            if mention.kind != DATE:
                return None
            # No date to replace: the new one narrows the whole question.
            end = len(previous.rstrip("?!. "))
            edits.append((end, end, " " + _date_phrase(mention)))
            continue
        edits.append((found.start, found.end, _render(mention, found)))
    return _apply(previous, edits)


def _slot_for(
    mention: Mention,
    fragment: str,
    previous: str,
    old: list[Mention],
    clause: _Clause,
    edits: list[tuple[int, int, str]],
) -> Mention | None:
    """The mention of the previous question that ``mention`` replaces."""
    prep = _word_before(fragment, mention.start)
    head = _word_after(fragment, mention.end)
    free = [
        m
        for m in old
        if m.key != mention.key and not any(m.start < e and s < m.end for s, e, _ in edits)
    ]
    places = (COUNTRY, TERRITORY)
    if mention.kind == DATE:
        passes: list[tuple[str, ...]] = [(DATE,)]
    elif mention.kind in places:
        passes = [(mention.kind,), places, ACTORS]
    else:
        passes = [(mention.kind,), ACTORS]

    def score(m: Mention) -> tuple[bool, bool, bool, bool, int]:
        # The follow-up's own words first ("And with the Netherlands?", "the Dutch
        # controls"), then the same office, then the subject, then the earliest.
        return (
            bool(prep) and prep in _PREPOSITIONS and _word_before(previous, m.start) == prep,
            bool(head) and _word_after(previous, m.end) == head,
            bool(mention.office) and mention.office == m.office,
            clause.subject_start <= m.start < clause.subject_end,
            -m.start,
        )

    for kinds in passes:
        candidates = [m for m in free if m.kind in kinds]
        if candidates:
            return max(candidates, key=score)
    return None


def _word_before(text: str, start: int) -> str:
    match = re.search(r"([\w’'-]+)\W*$", text[:start])
    return match[1].lower() if match else ""


def _word_after(text: str, end: int) -> str:
    return _next_word(text, end).lower()


def _next_word(text: str, end: int) -> str:
    """The word after ``end``, as written ("" at the end)."""
    match = re.match(r"\W*([\w’'-]+)", text[end:])
    return match[1] if match else ""


def _render(new: Mention, slot: Mention) -> str:
    """``new`` written to fit where ``slot`` stood (form, possessive, capital)."""
    if new.kind == DATE:
        text = new.text if new.prep or not slot.prep else f"{slot.prep} {new.core}"
    elif new.kind in (COUNTRY, TERRITORY) and slot.kind in (COUNTRY, TERRITORY):
        text = place_adjective(new) if slot.form == ADJECTIVE else place_name(new)
    elif new.kind in (COUNTRY, TERRITORY):
        text = place_name(new)
    else:
        text = new.text
    if slot.possessive:
        text = _possessive(text, slot.possessive)
    return _capitalise(text) if slot.start == 0 else _mid_sentence(text)


def _mid_sentence(name: str) -> str:
    """ "The Dutch trade minister" inside a sentence is "the ..."; "The Hague" stays."""
    return name if name.startswith("The Hague") else re.sub(r"^The\b", "the", name)


def _possessive(name: str, example: str) -> str:
    apostrophe = "’" if "’" in example else "'"
    return name + (apostrophe if name.endswith("s") else apostrophe + "s")


def _date_phrase(mention: Mention) -> str:
    if mention.prep:
        return mention.text
    exact = re.search(r"\d{1,2}\D|day\b", mention.core, re.IGNORECASE)
    return f"{'on' if exact else 'in'} {mention.core}"


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


# -- "What did he say?", "Does it rely on China?" -----------------------------------------


def _outward_references(question: str) -> list[re.Match[str]]:
    """Pronouns in ``question`` that point outside it (none for "What did Tokyo Electron
    say about its revenue?", where "its" has its antecedent right there)."""
    mentions = [m for top in find_mentions(question) for m in top.all()]
    found = []
    for match in _PRONOUN.finditer(question):
        if match["d"]:
            found.append(match)
            continue
        word = match["p"].lower()
        if word == "it" and _EXPLETIVE_IT.match(question, match.start()):
            continue
        kinds = _PRONOUN_KINDS[_PRONOUN_CLASS.get(word, word)]
        if word == "then" and re.search(
            r"\b(?:and|since|until|by|before)\s+$", question[: match.start()], re.I
        ):
            continue  # fmt: skip
        if any(m.kind in kinds and m.end <= match.start() for m in mentions):
            continue
        # "How did the company describe its revenue?": any noun phrase before "it"/"they"
        # may be what it stands for, so the question is left as it is.
        if kinds != (PERSON,) and word != "then" and _NOUN_PHRASE.search(question[: match.start()]):
            continue
        found.append(match)
    return found


def _resolve_references(question: str, context: Sequence[str]) -> str | None:
    """``question`` with each outward pronoun replaced by what it stands for; None when
    one of them cannot be resolved."""
    edits: list[tuple[int, int, str]] = []
    for match in _outward_references(question):
        if match["d"]:
            return None  # "Is that true?": "that" is the previous answer, not a name
        word = match["p"].lower()
        pronoun = _PRONOUN_CLASS.get(word, word)
        antecedent = _antecedent(pronoun, context)
        if antecedent is None:
            return None
        name = antecedent
        if word in _POSSESSIVE_PRONOUNS or (
            word == "her" and _is_possessive_her(question, match.end())
        ):
            name = _possessive(name, "'")  # fmt: skip
        if match.start() == 0:
            name = _capitalise(name)
        edits.append((match.start(), match.end(), name))
    return _capitalise(_apply(question, edits)) if edits else None


def _is_possessive_her(question: str, end: int) -> bool:
    following = _word_after(question, end)
    return bool(following) and following not in _PREPOSITIONS and not _aux(following)


def _definite(mention: Mention) -> str:
    """How to name ``mention`` in place of a pronoun: "Which Japanese minister ...?" is
    "the Japanese minister" when referred back to."""
    if mention.kind in (COUNTRY, TERRITORY):
        return place_name(mention)
    name = mention.text
    if mention.form == PHRASE:
        name = re.sub(r"^(?:the|a|an)\s+", "", name, flags=re.IGNORECASE)
        opening = mention.inner[0] if mention.inner else None
        if opening is None or not opening.possessive or opening.start != mention.start:
            name = "the " + name
    return _mid_sentence(name)


def _plural_common_noun(phrase: str) -> bool:
    """Whether ``phrase`` is headed by a plural common noun ("the US export rules")."""
    words = phrase.split()
    return bool(words) and re.fullmatch(r"[a-z][a-z-]*[^s’'\W]s", words[-1]) is not None


def _antecedent(pronoun: str, context: Sequence[str]) -> str | None:
    """The name ``pronoun`` stands for: the latest question naming a thing of a fitting
    kind, its subject first."""
    kinds = _PRONOUN_KINDS[pronoun]
    for question in reversed(context):
        clause = _parse(question)
        if pronoun == "they" and _plural_common_noun(clause.subject):
            # "When were the US export rules issued, and which territory were they
            # extended to?": the rules, not the US that qualifies them.
            return _mid_sentence(clause.subject)
        mentions = [m for top in find_mentions(question) for m in top.all()]
        candidates = [
            m
            for m in mentions
            if m.kind in kinds
            and m.form != ADJECTIVE
            and (pronoun == "they" or not m.plural)
            and (pronoun != "they" or m.plural or m.kind != PERSON)
        ]
        if candidates:
            best = max(
                candidates,
                key=lambda m, c=clause: (  # type: ignore[misc]
                    pronoun == "they" and m.plural,
                    c.subject_start <= m.start < c.subject_end,
                    -kinds.index(m.kind),
                    -m.start,
                ),
            )
            return _definite(best)
        topic = _TOPIC.match(question.strip())
        if topic and pronoun in {"it", "they"}:
            return _lower_first(topic["np"])
    return None
