"""Typed mentions in a question: the countries, people, organisations and dates it names.

The follow-up rewriter (:mod:`retrieval.answer.followup`) puts "the Netherlands" where
"Japan" stood because both are countries, and "in March 2023" where "in January 2023"
stood because both are dates. This module says what each named thing in a question is,
where it is, and in which form it is written (a name, an adjective such as "Dutch", a
phrase such as "the Dutch trade minister"), so a swap can keep the sentence grammatical.

It is a small hand-written grammar over regular expressions: no model, nothing to load,
cheap to import (``chipbot ask`` imports it on every cold start).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

COUNTRY = "country"
TERRITORY = "territory"
PERSON = "person"
ORG = "org"
DATE = "date"
THING = "thing"  # named but not an actor: a law, a list, a war
#: Kinds that can act ("who agreed?"): a swap may fall back from one to another.
ACTORS = (COUNTRY, TERRITORY, PERSON, ORG)

NOUN = "noun"  # "Japan", "the Netherlands", "Tokyo Electron", "Mark Rutte", "in March 2023"
ADJECTIVE = "adjective"  # "Japanese", "Dutch", "US" in "the US controls"
PHRASE = "phrase"  # "the Dutch trade minister", "the Japanese government"


@dataclass(frozen=True)
class Place:
    """A country or territory and the ways of naming it."""

    key: str
    noun: str  # the plain name, with "the" where English wants it
    adjective: str
    names: tuple[str, ...] = ()  # other names: capitals, governments, abbreviations
    adjectives: tuple[str, ...] = ()
    kind: str = COUNTRY


PLACES: tuple[Place, ...] = (
    Place("JP", "Japan", "Japanese", ("Tokyo",)),
    Place("NL", "the Netherlands", "Dutch", ("Holland", "The Hague")),
    Place(
        "US",
        "the US",
        "US",
        (
            "the United States",
            "the United States of America",
            "the U.S.",
            "the USA",
            "America",
            "Washington",
            "Washington, D.C.",
            "the White House",
            "the Biden administration",
        ),
        ("American", "U.S."),
    ),
    Place(
        "CN",
        "China",
        "Chinese",
        ("Beijing", "the PRC", "the People's Republic of China", "the People’s Republic of China"),
    ),
    Place("KR", "South Korea", "South Korean", ("Korea", "Seoul"), ("Korean",)),
    Place("TW", "Taiwan", "Taiwanese", ("Taipei",)),
    Place("DE", "Germany", "German", ("Berlin",)),
    Place("FR", "France", "French", ("Paris",)),
    Place("UK", "the UK", "British", ("the United Kingdom", "Britain", "London")),
    Place("EU", "the EU", "European", ("the European Union", "Europe", "Brussels")),
    Place("RU", "Russia", "Russian", ("Moscow",)),
    Place("IN", "India", "Indian", ("New Delhi",)),
    Place("SG", "Singapore", "Singaporean"),
    Place("CA", "Canada", "Canadian", ("Ottawa",)),
    Place("AU", "Australia", "Australian", ("Canberra",)),
    Place("MO", "Macau", "Macanese", ("Macao",), kind=TERRITORY),
    Place("HK", "Hong Kong", "Hong Kong", (), kind=TERRITORY),
)
PLACE_BY_KEY = {place.key: place for place in PLACES}

# Company names that would otherwise read as a person's name ("Nikon") or a place.
COMPANIES: tuple[str, ...] = (
    "ASML",
    "Tokyo Electron",
    "Nikon",
    "Canon",
    "Applied Materials",
    "Lam Research",
    "KLA",
    "TSMC",
    "Samsung",
    "SK Hynix",
    "Intel",
    "Nvidia",
    "SMIC",
    "Huawei",
    "YMTC",
    "CXMT",
    "Micron",
    "Advantest",
    "Kokusai Electric",
    "Screen Holdings",
    "Zeiss",
)
# Lowercase "canon"/"intel" are words; these names count only when capitalised.
_CASE_SENSITIVE = frozenset({"Canon", "Intel"})

# People of this story and their office, so "And Rutte?" after "When did Biden meet
# Kishida?" replaces the other prime minister (keyed by the last word of the name).
OFFICES: dict[str, str] = {
    "kishida": "prime minister",
    "rutte": "prime minister",
    "biden": "president",
    "xi": "president",
    "jinping": "president",
    "nishimura": "trade minister",
    "schreinemacher": "trade minister",
    "raimondo": "commerce secretary",
    "estevez": "under secretary",
    "campbell": "coordinator",
    "tomita": "ambassador",
    "ning": "spokesperson",
}
# Titles before a name, and the office each names.
_TITLES = {
    "prime minister": "prime minister",
    "president": "president",
    "vice president": "vice president",
    "secretary": "secretary",
    "commerce secretary": "commerce secretary",
    "under secretary": "under secretary",
    "minister": "minister",
    "trade minister": "trade minister",
    "ambassador": "ambassador",
    "spokesperson": "spokesperson",
    "chancellor": "chancellor",
    "premier": "premier",
}
_HONORIFICS = frozenset({"mr", "mr.", "ms", "ms.", "mrs", "mrs.", "dr", "dr."})
# Nouns naming a person by office ("the Dutch trade minister") or a collective actor.
_ROLE_NOUNS = (
    r"prime\s+ministers?|ministers?|officials?|spokesperson|spokes(?:wo)?man|ambassadors?"
    r"|president|premier|secretary|diplomats?|leaders?|coordinator|chancellor|envoys?|negotiators?"
)
_COLLECTIVE_NOUNS = r"government|administration|side|authorities|ministry|embassy|cabinet"
# Words that cannot modify a role noun ("the Chinese foreign ministry spokesperson").
_NOT_MODIFIERS = re.compile(
    r"^(?:the|a|an|and|or|but|of|to|in|on|for|with|by|about|from|at|as|than|not|what|which"
    r"|who|whom|whose|that|this|these|those|his|her|its|their|our|your|my|is|are|was|were|am"
    r"|has|have|had|do|does|did|will|would|can|could|should|shall|may|might|must|be|been)$",
    re.IGNORECASE,
)
# Words in a capitalised run that make it an organisation, or a named thing.
_ORG_WORDS = frozenset(
    """
    Association Department Ministry Bureau Institute Institution Council Commission
    Agency Office Committee Center Centre Organization Organisation Union Group Inc Corp
    Corporation Ltd Company Electron Materials Research Gazette House Congress
    Parliament Cabinet Government Embassy Security Holdings Electric
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
_THING_WORDS = frozenset(
    """
    Act List Regulations Rule Law War Agreement Exchange Summit Cup Pacific Indo-Pacific
    Day Strategy Trade Foreign
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
# Words of a ministry's or an office's title, never a name ("minister of Economy").
_DESCRIPTORS = frozenset(
    {"Economy", "Industry", "Affairs", "Development", "Cooperation", "Commerce"}
)
# Capitalised words that open a sentence without naming anything.
STARTERS = frozenset(
    """
    What Who Whom Whose When Where Why How Which Is Are Was Were Am Has Have Had Do Does
    Did Will Would Can Could Should Shall May Might Must And But Also So Or Tell Explain
    Describe List Name Give Show Summarise Summarize Compare Please In On At After
    Before Since During According For From To By With About As Besides Other Than The A
    An This That These Those It Its They Their He She His Her Them Him Then There Yes No
    Not Any Some Each Every All Both Was If Whether Only Just I We You My Our Your
    """.split()  # noqa: SIM905 - a word list reads better as prose
)

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_SEASON = r"(?:spring|summer|autumn|fall|winter)"
_DATE_CORE = (
    rf"(?:{_DAY}\s+{_MONTH}(?:,?\s+{_YEAR})?"
    rf"|{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?(?!\d)"
    rf"|(?:(?:early|mid|late|the\s+end\s+of|the\s+start\s+of)[-\s]+)?{_MONTH}(?:\s+{_YEAR})?"
    rf"|(?:(?:early|mid|late|fiscal\s+(?:year\s+)?)[-\s]*)?{_YEAR}s?"
    rf"|(?:last|this|next|the\s+same)\s+(?:year|month|week|{_SEASON})"
    rf"|(?:the\s+)?{_SEASON}(?:\s+of\s+{_YEAR})?"
    r"|yesterday|today|tomorrow"
    r"|(?:last\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))"
)
DATE_PREPOSITIONS = (
    r"in|on|by|since|before|after|until|till|during|from|through|around|as\s+of|prior\s+to"
)


@functools.cache
def _date_pattern() -> re.Pattern[str]:
    # Compiled on first use: `chipbot ask` imports this module but rewrites no follow-up.
    return re.compile(
        rf"(?<![\w-])(?:(?P<prep>{DATE_PREPOSITIONS})\s+)?(?P<core>{_DATE_CORE})(?![\w-])",
        re.IGNORECASE,
    )


_MONTH_ONLY = re.compile(rf"^{_MONTH}$", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s\b|(?<=s)['’](?!\w)")
_CAPITALISED_WORD = r"(?:(?:Mr|Ms|Mrs|Dr)\.?|[A-Z][\w’'-]*\w|[A-Z]\.?)"
_CAPITALISED_RUN = re.compile(rf"{_CAPITALISED_WORD}(?:[ \t]+{_CAPITALISED_WORD})*")
_ACRONYM = re.compile(r"^[A-Z]{2,6}s?$")
# Words after "the US" that are no noun it could modify: function words, adjectives.
_NOT_A_NOUN = re.compile(
    r"^(?:is|are|was|were|has|have|had|do|does|did|will|would|can|could|should|may|might|must"
    r"|and|or|but|to|of|in|on|at|for|with|about|from|by|as|than|that|which|who|not"
    r"|\w+(?:ant|ent|ive|ful|ous|able|ible|ly))$",
    re.IGNORECASE,
)


AUXILIARIES = frozenset(
    """
    is are was were am has have had do does did will would can could should shall may
    might must
    """.split()  # noqa: SIM905 - a word list reads better as prose
)


# A few verbs: where a question's subject ends ("did Japan's minister | say"), and
# whether "the US" names the actor ("did the US add") or modifies a noun ("the US controls").
VERBS = frozenset(
    """
    say agree match rely depend hold make mean promise plan want need join impose
    restrict ban limit announce publish discuss meet talk oppose react respond expect
    consider add expand decide introduce abuse aim accept cooperate work have do go take
    give think believe see know sell buy stop slow block prevent lose cost become
    describe call tell ask praise raise comment criticise criticize warn urge hope try
    intend follow apply implement persuade press push study enter affect hurt harm
    threaten retaliate begin start end happen follow comply adopt extend visit sign
    reach reject welcome
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
IRREGULAR_PAST = {
    "say": "said",
    "make": "made",
    "hold": "held",
    "have": "had",
    "do": "did",
    "go": "went",
    "meet": "met",
    "take": "took",
    "give": "gave",
    "tell": "told",
    "think": "thought",
    "see": "saw",
    "know": "knew",
    "become": "became",
    "buy": "bought",
    "sell": "sold",
    "lose": "lost",
    "mean": "meant",
    "begin": "began",
    "seek": "sought",
    "lead": "led",
    "set": "set",
    "put": "put",
    "cut": "cut",
}
_PARTICIPLES = frozenset({"given", "taken", "known", "seen", "done", "gone", "begun", "become"})


def past(verb: str) -> str:
    """The past tense of a verb's base form ("say" → "said", "ban" → "banned")."""
    if verb in IRREGULAR_PAST:
        return IRREGULAR_PAST[verb]
    if verb.endswith("e"):
        return verb + "d"
    if len(verb) > 1 and verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ied"
    # One syllable ending consonant-vowel-consonant doubles: ban → banned, stop → stopped.
    if re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", verb):
        return verb + verb[-1] + "ed"
    return verb + "ed"


def third_person(verb: str) -> str:
    """The third person singular ("rely" → "relies", "have" → "has")."""
    special = {"have": "has", "do": "does", "go": "goes", "be": "is"}
    if verb in special:
        return special[verb]
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if len(verb) > 1 and verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def is_verb(word: str) -> bool:
    """Whether ``word`` reads as a verb: a known verb in any form, or an -ed/-ing word
    ("chip-making", "advanced-computing": a hyphenated word qualifies a noun instead)."""
    lowered = word.lower()
    if "-" in lowered.strip("-"):
        return False
    if lowered in _verb_forms():
        return True
    if len(lowered) > 4 and lowered.endswith(("ed", "ing")):
        return lowered not in {"during", "according", "regarding", "including", "leading"}
    return False


@functools.cache
def _verb_forms() -> frozenset[str]:
    forms = {f(verb) for verb in VERBS for f in (str, third_person, past)}
    return frozenset(forms | _PARTICIPLES | set(IRREGULAR_PAST.values()))


@dataclass(frozen=True)
class Mention:
    """One named thing in a text: its kind, span, form and identity.

    ``start``/``end`` cover the mention including any possessive ending ("Japan's");
    ``text`` is the name without it. ``key`` identifies the thing across wordings
    ("NL" for "the Netherlands", "Dutch" and "The Hague"). ``inner`` holds mentions
    nested inside a phrase: the country of "the Dutch trade minister".
    """

    kind: str
    start: int
    end: int
    text: str
    key: str
    form: str = NOUN
    possessive: str = ""
    office: str = ""
    plural: bool = False
    prep: str = ""  # for dates: the preposition opening the mention ("in")
    core: str = ""  # for dates: the date without its preposition ("March 2023")
    inner: tuple[Mention, ...] = field(default=())

    def all(self) -> list[Mention]:
        """This mention and every mention nested in it."""
        found = [self]
        for sub in self.inner:
            found.extend(sub.all())
        return found


@functools.cache
def _lexicon() -> tuple[re.Pattern[str], dict[str, tuple[Place, str]]]:
    """Every known name (lowercase) with its place (or company) and form, and one pattern
    finding them all, longest first; built on first use (a few milliseconds)."""
    forms: dict[str, tuple[Place, str]] = {}
    for place in PLACES:
        for name in (place.noun, *place.names):
            forms[_bare(name).lower()] = (place, NOUN)
        for adjective in (place.adjective, *place.adjectives):
            forms.setdefault(adjective.lower(), (place, ADJECTIVE))
    for company in COMPANIES:
        forms[company.lower()] = (_COMPANY, company)  # for a company: its spelling
    names = sorted(forms, key=len, reverse=True)
    alternation = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
    pattern = re.compile(rf"(?<![\w.-])(?P<the>the\s+)?(?P<name>{alternation})(?![\w-])", re.I)
    return pattern, forms


def _bare(name: str) -> str:
    return name[4:] if name.lower().startswith("the ") else name


_COMPANY = Place("", "", "", kind=ORG)
_ROLE = re.compile(rf"\b(?P<role>{_ROLE_NOUNS})\b", re.IGNORECASE)
_COLLECTIVE = re.compile(rf"\b(?P<role>{_COLLECTIVE_NOUNS})\b", re.IGNORECASE)


def find_mentions(text: str) -> list[Mention]:
    """The top-level mentions in ``text``, in order (nested ones via :attr:`Mention.inner`)."""
    taken: list[Mention] = []
    for match in _date_pattern().finditer(text):
        core = match["core"]
        if _MONTH_ONLY.match(core.rstrip(".")) and not core[0].isupper():
            continue  # "may", "march" as words
        if core.lower() in {"may", "mar", "jun", "sept", "sep"} and not match["prep"]:
            continue
        taken.append(
            Mention(DATE, match.start(), match.end(), match[0], core.lower(), NOUN,
                    prep=(match["prep"] or "").lower(), core=core)
        )  # fmt: skip
    for match in _lexicon()[0].finditer(text):
        if _overlaps(match.start(), match.end(), taken):
            continue
        mention = _named(text, match)
        if mention is not None:
            taken.append(mention)
    taken.sort(key=lambda m: m.start)
    for mention in _capitalised_runs(text, taken):
        taken.append(mention)
    taken.sort(key=lambda m: m.start)
    taken = _phrases(text, taken)
    return _groups(text, taken)


def _named(text: str, match: re.Match[str]) -> Mention | None:
    name = match["name"]
    place, form = _lexicon()[1][name.lower()]
    if place is _COMPANY:
        if form in _CASE_SENSITIVE and name != form:
            return None
        end = match.end()
        possessive = _possessive_at(text, end)
        return Mention(ORG, match.start("name"), end + len(possessive), form, form.lower(),
                       possessive=possessive)  # fmt: skip
    if name in {"us", "Us"} or (name.lower() == "us" and not name.isupper()):
        return None  # the pronoun
    start = match.start() if form == NOUN else match.start("name")
    end = match.end()
    if form == NOUN and name.replace(".", "").upper() in {"US", "UK", "EU"}:
        # "match the US controls": "US" modifies the noun that follows, and "the" belongs
        # to that noun; before a verb ("Did the US add") it names the actor.
        following = re.match(r"\s+([a-z][\w-]*)", text[end:])
        if following and not is_verb(following[1]) and not _NOT_A_NOUN.match(following[1]):
            form = ADJECTIVE
            start = match.start("name")
    surface = text[start:end]
    possessive = _possessive_at(text, end) if form == NOUN else ""
    return Mention(place.kind, start, end + len(possessive), surface, place.key, form,
                   possessive=possessive)  # fmt: skip


def _possessive_at(text: str, end: int) -> str:
    match = _POSSESSIVE.match(text, end)
    if match:
        return match[0]
    # "the Netherlands’ trade minister": the apostrophe alone after a final s.
    if end > 0 and text[end - 1] in "sS" and text[end : end + 1] in {"'", "’"}:
        rest = text[end + 1 : end + 2]
        if not rest or not rest.isalnum():
            return text[end]
    return ""


def _overlaps(start: int, end: int, taken: list[Mention]) -> bool:
    return any(start < m.end and m.start < end for m in taken)


def _capitalised_runs(text: str, taken: list[Mention]) -> list[Mention]:
    """People, organisations and named things: runs of capitalised words not yet taken."""
    found: list[Mention] = []
    for run in _CAPITALISED_RUN.finditer(text):
        groups: list[list[tuple[int, int]]] = [[]]
        for word in re.finditer(r"\S+", run[0]):
            start, end = run.start() + word.start(), run.start() + word.end()
            if _overlaps(start, end, taken):
                groups.append([])  # a name already known splits the run
            elif groups[-1] or word[0] not in STARTERS:
                groups[-1].append((start, end))
        found.extend(_classify_run(text, g[0][0], g[-1][1]) for g in groups if g)
    return found


def _classify_run(text: str, start: int, end: int) -> Mention:
    possessive = _possessive_at(text, end)
    if text[start:end].endswith(("'s", "’s")):
        end -= 2
        possessive = text[end : end + 2]
    words = list(re.finditer(r"\S+", text[start:end]))
    # "Trade and Industry Yasutoshi Nishimura": the name after a ministry's title.
    titles = [i for i, w in enumerate(words) if w[0] in _THING_WORDS or w[0] in _DESCRIPTORS]
    if titles and any(len(w[0]) > 2 and not w[0].isupper() for w in words[titles[-1] + 1 :]):
        start += words[titles[-1] + 1].start()
        words = list(re.finditer(r"\S+", text[start:end]))
    names = [w[0] for w in words]
    surface = text[start:end]
    stop = end + len(possessive)
    if any(w in _THING_WORDS or w in _DESCRIPTORS for w in names):
        return Mention(THING, start, stop, surface, surface.lower())
    if any(w in _ORG_WORDS for w in names) or (len(names) == 1 and _ACRONYM.match(names[0])):
        return Mention(ORG, start, stop, surface, surface.lower(), possessive=possessive)
    lowered = " ".join(w.lower() for w in names)
    title = next((t for t in sorted(_TITLES, key=len, reverse=True) if lowered.startswith(t)), "")
    name_words = [w for w in names[len(title.split()) :] if w.lower() not in _HONORIFICS]
    key = name_words[-1].lower() if name_words else lowered
    office = OFFICES.get(key, _TITLES.get(title, ""))
    return Mention(PERSON, start, stop, surface, key, possessive=possessive, office=office)


def _phrases(text: str, mentions: list[Mention]) -> list[Mention]:
    """Fold "the Dutch trade minister", "Japan's minister Nishimura", "the Japanese
    government" into one mention holding the country it names."""
    result = list(mentions)
    for pattern, kind in ((_ROLE, PERSON), (_COLLECTIVE, COUNTRY)):
        for match in pattern.finditer(text):
            if _overlaps(match.start(), match.end(), result):
                continue
            # Left of the role: up to three modifiers ("top trade"), a country (adjective,
            # or possessive noun), then a determiner.
            head = match.start()
            for _ in range(3):
                word = re.search(r"(?<![\w'’])([a-z][\w-]*)\s+$", text[:head])
                if word is None or _NOT_MODIFIERS.match(word[1]) or is_verb(word[1]):
                    break
                head = word.start()
            before = [m for m in result if m.end <= head]
            country = before[-1] if before else None
            gap = text[country.end : head] if country else ""
            if (
                country is None
                or country.kind not in (COUNTRY, TERRITORY)
                or gap.strip()
                or not (country.form == ADJECTIVE or country.possessive)
            ):
                country = None
            start = country.start if country else head
            det = re.search(r"(?:\b(?:the|a|an)\s+)$", text[:start], re.IGNORECASE)
            if det:
                start = det.start()
            elif country is None:
                continue  # a bare "minister" names no one
            if kind == COUNTRY and country is None:
                continue  # "the government" alone is no country
            end = match.end()
            # "Japan's trade minister Yasutoshi Nishimura": the name joins the phrase.
            after = [m for m in result if m.start >= end]
            name = after[0] if after and after[0].kind == PERSON else None
            if name is not None and not text[end : name.start].strip():
                end = name.end
            role = re.sub(r"\s+", " ", match["role"].lower())
            office = OFFICES.get(name.key, "") if name else ""
            office = office or _office_of(text[head : match.end()].lower())
            inner = tuple(m for m in (country, name) if m is not None)
            possessive = _possessive_at(text, end) if name is None else name.possessive
            phrase = Mention(
                kind,
                start,
                end + (len(possessive) if name is None else 0),
                text[start : end - (len(possessive) if name else 0)],
                (country.key if kind == COUNTRY and country else text[start:end].lower()),
                PHRASE,
                possessive=possessive,
                office=office if kind == PERSON else "",
                plural=role.endswith("s") and kind == PERSON and not role.endswith("ss"),
                inner=inner,
            )
            result = [m for m in result if m not in inner]
            result.append(phrase)
            result.sort(key=lambda m: m.start)
    # "Dutch Prime Minister Mark Rutte": a nationality right before a person joins them.
    merged: list[Mention] = []
    for mention in result:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and mention.kind == PERSON
            and mention.form == NOUN
            and prev.kind == COUNTRY
            and (prev.form == ADJECTIVE or prev.possessive)
            and not text[prev.end : mention.start].strip()
        ):
            det = re.search(r"(?:\b(?:the|a|an)\s+)$", text[: prev.start], re.IGNORECASE)
            start = det.start() if det else prev.start
            merged[-1] = Mention(
                PERSON, start, mention.end, text[start : mention.end - len(mention.possessive)],
                mention.key, PHRASE, possessive=mention.possessive, office=mention.office,
                inner=(prev, mention),
            )  # fmt: skip
        else:
            merged.append(mention)
    return merged


def _office_of(role: str) -> str:
    words = re.sub(r"\s+", " ", role).split()
    head = words[-1].rstrip("s") if words[-1] != "ambassadors" else "ambassador"
    if len(words) > 1 and words[-2] in {"prime", "trade", "foreign", "commerce", "vice"}:
        return f"{words[-2]} {head}"
    return head


def _groups(text: str, mentions: list[Mention]) -> list[Mention]:
    """ "Japan and the Netherlands", "Biden and Kishida": one plural mention of a kind."""
    result: list[Mention] = []
    for mention in mentions:
        prev = result[-1] if result else None
        if (
            prev is not None
            and mention.kind == prev.kind
            and mention.kind not in (DATE, THING)
            and not prev.possessive
            and re.fullmatch(r"\s*(?:,\s*(?:and\s+)?|and\s+)", text[prev.end : mention.start])
        ):
            members = prev.inner if prev.plural and prev.form == NOUN else (prev,)
            result[-1] = Mention(
                mention.kind, prev.start, mention.end,
                text[prev.start : mention.end - len(mention.possessive)],
                "+".join(m.key for m in (*members, mention)), NOUN,
                possessive=mention.possessive, plural=True, inner=(*members, mention),
            )  # fmt: skip
        else:
            result.append(mention)
    return result


def place_name(mention: Mention) -> str:
    """The country's name as a noun ("the Netherlands" for "Dutch"), capitalised as usual."""
    place = PLACE_BY_KEY.get(mention.key)
    if place is None:
        return mention.text
    return _canonical(mention.text) if mention.form == NOUN else place.noun


def place_adjective(mention: Mention) -> str:
    """The country's adjective ("Dutch" for "the Netherlands")."""
    place = PLACE_BY_KEY.get(mention.key)
    if place is None:
        return mention.text
    if mention.form == ADJECTIVE:
        return _canonical(mention.text)
    return place.adjective


def _canonical(surface: str) -> str:
    """The lexicon's spelling of a name typed in any case ("the netherlands")."""
    has_the = surface.lower().startswith("the ")
    bare = re.sub(r"\s+", " ", _bare(surface))
    entry = _lexicon()[1].get(bare.lower())
    if entry is None:
        return surface
    place, form = entry
    if place is _COMPANY:
        return form
    for name in (place.noun, *place.names, place.adjective, *place.adjectives):
        if _bare(name).lower() == bare.lower():
            if name.lower().startswith("the ") and not name.startswith("The "):
                return name  # "Netherlands" alone still reads "the Netherlands"
            return ("the " + _bare(name)) if has_the and not name.startswith("The") else name
    return surface
