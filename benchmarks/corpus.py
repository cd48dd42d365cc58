"""A generator of realistic, dated, article-sized text for scale benchmarks.

Articles read like wire copy about export controls on chipmaking tools: a seed-format
header (``date YYYY-MM-DD``), a dateline, then paragraphs of two to four sentences built
from templates over a varied vocabulary (officials, companies, tools, places, figures),
so BM25 sees a realistic spread of rare and common terms and the chunker sees real
sentence boundaries. Output is deterministic for a given seed.

    python benchmarks/corpus.py /tmp/corpus --passages 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

#: Measured on this generator with chipbot's default chunking (350 chars, 1 sentence overlap).
PASSAGES_PER_ARTICLE = 33.4

_PLACES = [
    "WASHINGTON", "TOKYO", "THE HAGUE", "BEIJING", "SEOUL", "TAIPEI", "BRUSSELS",
    "VELDHOVEN", "OSAKA", "SHANGHAI", "BERLIN", "SINGAPORE", "LONDON", "AUSTIN",
]  # fmt: skip
_COUNTRIES = [
    "Japan", "the Netherlands", "South Korea", "Taiwan", "Germany", "China",
    "the United States", "Singapore", "Malaysia", "India", "France", "Israel",
]  # fmt: skip
_OFFICIALS = [
    "Commerce Secretary Gina Raimondo", "National Security Adviser Jake Sullivan",
    "Trade Minister Liesje Schreinemacher", "Economy Minister Yasutoshi Nishimura",
    "Prime Minister Fumio Kishida", "Prime Minister Mark Rutte",
    "Under Secretary Alan Estevez", "Deputy Secretary Kurt Campbell",
    "Foreign Ministry spokesperson Wang Wenbin", "Commerce Minister Wang Wentao",
    "Industry Minister Lee Chang-yang", "Economy Minister Wang Mei-hua",
]  # fmt: skip
_COMPANIES = [
    "ASML", "Tokyo Electron", "Nikon", "Canon", "Applied Materials", "Lam Research",
    "KLA", "SMIC", "YMTC", "Hua Hong", "Samsung Electronics", "SK Hynix", "TSMC",
    "Screen Holdings", "Advantest", "Kokusai Electric", "Lasertec", "Huawei",
]  # fmt: skip
_TOOLS = [
    "extreme ultraviolet lithography machines", "deep ultraviolet immersion scanners",
    "etching equipment", "deposition tools", "wafer cleaning systems",
    "metrology and inspection tools", "photoresist coaters", "ion implanters",
    "chemical mechanical polishing tools", "advanced packaging equipment",
]  # fmt: skip
_TOPICS = [
    "export controls", "licensing requirements", "entity list designations",
    "chip subsidies", "supply chain security", "technology restrictions",
    "servicing agreements", "spare parts shipments", "investment screening",
    "rare earth exports", "gallium and germanium curbs", "memory chip production",
]  # fmt: skip
_VERBS = [
    "announced", "confirmed", "denied", "criticised", "welcomed", "delayed",
    "expanded", "tightened", "negotiated", "postponed", "reviewed", "defended",
]  # fmt: skip
_TEMPLATES = [
    "{official} {verb} new {topic} on {tools} during talks in {place_title} on {weekday}.",
    "{company} said the measures could cut its annual revenue by {pct} per cent, "
    "or about {money} billion dollars, according to a filing seen by reporters.",
    "Officials in {country} said they would align their rules on {tools} with those "
    "of {country2} by {month} {year}, although details remained scarce.",
    "Analysts at {company2} estimated that {country} supplies {pct} per cent of the world's "
    "{tools}, making its cooperation essential to any multilateral regime.",
    "{official} told lawmakers that {topic} were aimed at military end users and would "
    "not harm ordinary trade between {country} and {country2}.",
    "Shares of {company} fell {small} per cent in {place_title} trading after the "
    "{topic} were published, while {company2} gained {small} per cent.",
    "The agreement, reached after {n} months of negotiations, covers {tools} and requires "
    "exporters in {country} to apply for licences before shipping to {country2}.",
    "{country2} responded that the {topic} amounted to economic coercion and said it "
    "would file a complaint with the World Trade Organization.",
    "Industry groups warned that {topic} could push customers in {country2} to develop "
    "domestic alternatives to {tools} within {n} years.",
    "A spokesperson for {company} declined to comment on whether it had stopped "
    "servicing {tools} already installed at plants in {country2}.",
    "Lawmakers in {country} asked {official} to publish the list of {tools} covered "
    "by the rules before the end of {month}.",
    "{company} has {n} thousand employees and sold {money} billion dollars of {tools} "
    "last year, {pct} per cent of them to customers in {country2}.",
]  # fmt: skip
_TITLES = [
    "{country} weighs new curbs on {tools}",
    "{company} warns {topic} will dent sales",
    "{official} presses allies on {topic}",
    "Talks on {topic} drag on between {country} and {country2}",
    "{country2} hits back at {topic}",
]  # fmt: skip
_MONTHS = [dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _fill(template: str, rng: random.Random) -> str:
    country, country2 = rng.sample(_COUNTRIES, 2)
    company, company2 = rng.sample(_COMPANIES, 2)
    return template.format(
        official=rng.choice(_OFFICIALS),
        verb=rng.choice(_VERBS),
        topic=rng.choice(_TOPICS),
        tools=rng.choice(_TOOLS),
        place_title=rng.choice(_PLACES).title(),
        weekday=rng.choice(_WEEKDAYS),
        company=company,
        company2=company2,
        country=country,
        country2=country2,
        pct=rng.randint(2, 45),
        small=f"{rng.uniform(0.5, 9.5):.1f}",
        money=f"{rng.uniform(0.3, 30.0):.1f}",
        month=rng.choice(_MONTHS),
        year=rng.randint(2022, 2026),
        n=rng.randint(2, 40),
    )


def article_text(rng: random.Random, date: dt.date, paragraphs: int = 12) -> str:
    """One article in the seed format: ``date`` header, dateline, paragraphs."""
    title = _fill(rng.choice(_TITLES), rng)
    title = title[0].upper() + title[1:]
    body = []
    for i in range(paragraphs):
        sentences = [_fill(rng.choice(_TEMPLATES), rng) for _ in range(rng.randint(2, 4))]
        if i == 0:
            sentences[0] = f"{rng.choice(_PLACES)} - {sentences[0]}"
        body.append(" ".join(sentences))
    return f"date {date.isoformat()} {title}\n\n" + "\n\n".join(body) + "\n"


def articles_for(passages: int) -> int:
    """How many generated articles give about ``passages`` chunks."""
    return max(1, round(passages / PASSAGES_PER_ARTICLE))


def write_corpus(directory: Path, articles: int, seed: int = 0) -> list[Path]:
    """Write ``articles`` generated article files into ``directory``; their paths.

    Files already there with the right name are kept (generation is deterministic).
    """
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    start = dt.date(2022, 10, 7)
    paths = []
    for i in range(articles):
        date = start + dt.timedelta(days=rng.randint(0, 3 * 365))
        text = article_text(rng, date, paragraphs=rng.randint(9, 15))
        path = directory / f"{i:06d}.txt"
        if not path.exists():
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    """Write a corpus of about ``--passages`` chunks into a folder."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = write_corpus(args.directory, articles_for(args.passages), args.seed)
    print(f"{len(paths)} articles in {args.directory}")


if __name__ == "__main__":
    main()
