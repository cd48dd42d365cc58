"""What kind of answer a question wants, and whether a sentence holds one.

Pure functions over strings, used by the reader as features: "who" wants a person's
name the question does not already give, "when" a date, "how many / what share" a
number, "which company / country" a proper name, "why" a stated reason. The patterns
are small on purpose: they are signals the fitted model weighs, not rules that decide.
"""

from __future__ import annotations

import re
from enum import StrEnum

from retrieval.text import tokenize


class AnswerType(StrEnum):
    """The kind of answer a question asks for."""

    PERSON = "person"
    DATE = "date"
    NUMBER = "number"
    ORGANISATION = "organisation"
    PLACE = "place"
    REASON = "reason"
    INTENT = "intent"
    OTHER = "other"


_Q_RULES: tuple[tuple[re.Pattern[str], AnswerType], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), kind)
    for pattern, kind in (
        (r"\bwhy\b|\bwhat (?:is|was|are|were) the reasons?\b|\bfor what reason\b", "reason"),
        (r"\bwhat (?:made|makes|caused|causes|led|leads|drove|drives)\b", "reason"),
        # A purpose is a reason ahead: "what are the controls meant to achieve?"
        (
            r"\b(?:trying|meant|intended|designed|aiming|seeking|supposed) to "
            r"(?:achieve|accomplish|stop|prevent)\b|"
            r"\bwhat (?:is|are|was|were) (?:the|its|their) "
            r"(?:aims?|goals?|purposes?|objectives?)\b",
            "reason",
        ),
        (
            r"\bhow (?:many|much)\b|\bwhat (?:share|percentage|percent|proportion|fraction)\b",
            "number",
        ),
        (r"\bhow (?:large|big|high|low|long|far|old)\b|\bwhat (?:number|amount|size)\b", "number"),
        (
            r"\bwhen\b|\bwhat (?:date|day|year|month|time)\b|\bwhich (?:date|day|year|month)\b",
            "date",
        ),
        (r"\bhow soon\b|\bby when\b|\bsince when\b", "date"),
        (r"\bwho(?:m|se)?\b", "person"),
        (
            r"\bwhich (?:\w+ )?(?:official|minister|leader|person|people|president|"
            r"diplomat|spokes\w+|secretary|coordinator|ambassador|executive)\b",
            "person",
        ),
        (
            r"\bwhich (?:\w+ )?(?:company|companies|firm|firms|maker|makers|manufacturer|"
            r"manufacturers|producer|producers|supplier|suppliers|agency|department|"
            r"ministry|organi[sz]ation|group|association|body|bureau)\b",
            "organisation",
        ),
        # What someone will do next: "What did China say it would do…?"
        (
            r"\bwhat\b.*\b(?:will|would|going to|plan(?:s|ned|ning)?|intends?|intended)\b"
            r"(?:.*\bdo\b|.*\bnext\b|\s+to\s+\w+\s*\?)",
            "intent",
        ),
        (
            r"\bwhere\b|\bwhich (?:\w+ )?(?:country|countries|nation|nations|city|cities|place)\b",
            "place",
        ),
    )
    for kind in [AnswerType(kind)]
)


def question_type(question: str) -> AnswerType:
    """The answer type ``question`` asks for (``OTHER`` when no pattern says)."""
    for pattern, kind in _Q_RULES:
        if pattern.search(question):
            return kind
    return AnswerType.OTHER


_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}\b|\d{{1,2}}\s+(?:{_MONTHS})\b|"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"(?:1[89]|20)\d\d\b|"
    rf"(?:in|since|by|until|from|before|after|early|late|mid-?)\s+(?:{_MONTHS})\b|"
    r"yesterday|today|tomorrow|last (?:week|month|year)|this (?:week|month|year)|"
    r"next (?:week|month|year)|(?:coming|past|recent) (?:days|weeks|months)|"
    r"\d{4}-\d\d-\d\d)",
    re.IGNORECASE,
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|dozens|twenty|"
    "thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|billions|"
    "trillion|half|quarter|third|fifth|tenth|double|twice|triple"
)
_NUMBER = re.compile(
    rf"\d|%|\bper ?cent\b|\bpercent\b|\b(?:{_NUMBER_WORDS})\b",
    re.IGNORECASE,
)
_REASON = re.compile(
    r"\b(?:because|due to|owing to|as a result|in an effort to|in order to|so that|"
    r"aimed at|aim(?:s|ed)? to|in a bid to|to (?:prevent|stop|curb|limit|slow|block|"
    r"protect|ensure|keep)|understandabl[ey]|relies on|reliant|depend(?:s|ent)? on|"
    r"concern(?:s|ed)?|fear(?:s|ed)?|worr(?:y|ied|ies)|risks?|given that|amid|"
    r"the reason|reasons?|since it|so as to|out of|for fear|necessary|necessitated|"
    r"threat(?:s|en)?|motivat\w*|driven by|hesita\w*)\b",
    re.IGNORECASE,
)
_INTENT = re.compile(
    r"\b(?:will|shall|would|plans? to|planning to|intends? to|intention|going to|"
    r"aims? to|is to|are to|next)\b",
    re.IGNORECASE,
)
# A capitalised word that is not the sentence's first word: a name, most of the time.
_CAP_WORD = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w’'.-]*[A-Za-z]")
_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|President|Minister|Secretary|Ambassador|Governor|Senator|"
    r"Chancellor|Spokes(?:man|woman|person)|Under Secretary|Prime Minister|Coordinator|"
    r"CEO|Chairman|Director|official|spokes(?:man|woman|person))\b\.?\s+[A-Z][a-z]+"
)
_PERSON_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]{2,}\b")
_ORG = re.compile(
    r"\b(?:[A-Z]{2,}|[A-Z][a-z]+ (?:Electron|Inc|Corp|Corporation|Group|Association|"
    r"Department|Ministry|Bureau|Commission|Council|Agency|Holdings|Company|Ltd))\b"
)


def _new_caps(sentence: str, question_words: frozenset[str]) -> list[str]:
    return [
        w
        for w in _CAP_WORD.findall(sentence)
        if w.lower().strip("’'.") not in question_words and w not in _NOT_NAMES
    ]


_NOT_NAMES = frozenset(
    {
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "But",
        "And",
        "Or",
        "If",
        "As",
        "It",
        "He",
        "She",
        "They",
        "We",
        "I",
        "This",
        "That",
        "These",
        "Those",
        "Its",
        "His",
        "Her",
        "Their",
        "Our",
        "Still",
        "However",
        "Over",
        "During",
        "Speaking",
        "Seeking",
    }
)  # fmt: skip


def question_words(question: str) -> frozenset[str]:
    """The question's words, lowercased (to tell new names from ones it already gives)."""
    return frozenset(w.lower().strip("’'.") for w in re.findall(r"[\w’'.-]+", question))


def has_date(sentence: str) -> bool:
    """Whether ``sentence`` states a date, a weekday, a year or a relative date."""
    return _DATE.search(sentence) is not None


_DAY_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}\b|\d{{1,2}}\s+(?:{_MONTHS})\b)|\b\d{{4}}-\d\d-\d\d\b",
    re.IGNORECASE,
)


def has_day_date(sentence: str) -> bool:
    """Whether ``sentence`` names a calendar day ("1 September 2023", "Oct. 7"), not
    just a month, a year or a relative date."""
    return _DAY_DATE.search(sentence) is not None


def has_number(sentence: str) -> bool:
    """Whether ``sentence`` states a number, a share or a percentage."""
    return _NUMBER.search(sentence) is not None


def has_reason(sentence: str) -> bool:
    """Whether ``sentence`` states a reason, a purpose or a cause."""
    return _REASON.search(sentence) is not None


_TITLE_WORDS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "president",
        "minister",
        "secretary",
        "under",
        "prime",
        "ambassador",
        "governor",
        "senator",
        "chancellor",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "coordinator",
        "ceo",
        "chairman",
        "director",
        "official",
        "vice",
        "deputy",
        "foreign",
        "trade",
        "chief",
    }
)  # fmt: skip


def has_new_person(sentence: str, q_words: frozenset[str]) -> bool:
    """Whether ``sentence`` names a person (title + name, or First Last) the question doesn't."""
    for pattern in (_TITLE, _PERSON_NAME):
        for match in pattern.finditer(sentence):
            words = [w.lower().strip("’'.") for w in match.group(0).split()]
            name = [w for w in words if w not in _TITLE_WORDS]
            if name and not all(w in q_words for w in name):
                return True
    return False


def has_new_name(sentence: str, q_words: frozenset[str]) -> bool:
    """Whether ``sentence`` gives a proper name the question does not already give."""
    return bool(_new_caps(sentence, q_words))


def has_new_organisation(sentence: str, q_words: frozenset[str]) -> bool:
    """Whether ``sentence`` names an organisation (acronym or "X Electron", "X Ministry")."""
    return any(m.lower() not in q_words for m in _ORG.findall(sentence))


# What a "how many / how much / what share of" question counts: the words up to its verb.
_COUNTED = re.compile(
    r"\b(?:how (?:many|much)|what (?:share|percentage|percent|proportion|fraction) of)\s+"
    r"(?P<what>.+?)\s+(?:do|does|did|is|are|was|were|will|would|could|can|has|have|had|"
    r"went|go|goes)\b",
    re.IGNORECASE,
)


def counted_terms(question: str) -> frozenset[str]:
    """The analysed terms of what a "how many" question counts ("jobs" in "How many jobs
    will the controls cost?"); empty for other questions."""
    match = _COUNTED.search(question)
    return frozenset(tokenize(match["what"])) if match else frozenset()


def has_intent(sentence: str) -> bool:
    """Whether ``sentence`` says what someone will do ("will", "plans to", "next")."""
    return bool(_INTENT.search(sentence))


def type_fit(
    kind: AnswerType,
    sentence: str,
    q_words: frozenset[str],
    counted: frozenset[str] = frozenset(),
) -> bool:
    """Whether ``sentence`` holds an answer of the ``kind`` the question wants; for a
    number, one of what is ``counted`` too: "27 per cent of global market share" does
    not say how many jobs."""
    check = _FITS.get(kind)
    if not (check and check(sentence, q_words)):
        return False
    return not counted or bool(counted & set(tokenize(sentence)))


_FITS = {
    AnswerType.PERSON: has_new_person,
    AnswerType.DATE: lambda s, _q: has_date(s),
    AnswerType.NUMBER: lambda s, _q: has_number(s),
    AnswerType.ORGANISATION: lambda s, q: has_new_organisation(s, q) or has_new_name(s, q),
    AnswerType.PLACE: has_new_name,
    AnswerType.REASON: lambda s, _q: has_reason(s),
    AnswerType.INTENT: lambda s, _q: has_intent(s),
}
