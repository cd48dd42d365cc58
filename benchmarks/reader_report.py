"""The reader's and decline rule's held-out figures, as a README table.

    python benchmarks/reader_report.py [--no-readme]

Reads what ``python -m retrieval.answer.fit_reader`` stored beside the models
(``retrieval/answer/reader_model.json``, ``retrieval/answer/calibration.json``): every
figure there is held out — SelQA by 5-fold cross-validation, each gold set judged by a
reader fitted without it, the decline rule by 10-fold cross-validation.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.readme import update_block  # noqa: E402

ANSWER = ROOT / "retrieval" / "answer"
README_BLOCK = "reader-held-out"


def markdown(model: dict[str, Any], calibration: dict[str, Any]) -> str:
    """The table: per gold set, held-out correctness and decline precision/recall."""
    lines = [
        "| gold set | questions | top sentence right | correct | decline precision | "
        "decline recall |",
        "|---|---|---|---|---|---|",
    ]
    sizes = model["data"]["gold_sets"]
    for name, figures in calibration["held_out"].items():
        n = sum(sizes.values()) if name == "all" else sizes.get(name, 0)
        top1 = model["gold_held_out_top1"].get(name)
        lines.append(
            f"| {name} | {n} | {f'{top1:.3f}' if top1 is not None else '–'} | "
            f"{figures['correctness']:.3f} | {figures['abstention_precision']:.3f} | "
            f"{figures['abstention_recall']:.3f} |"
        )
    declined = calibration.get("held_out_declined", {})
    if declined:
        shares = ", ".join(f"{kind} {share:.3f}" for kind, share in declined.items())
        lines += ["", f"Share declined, held out, by kind of unanswerable question: {shares}."]
    at = calibration.get("held_out_at_recall")
    if at:
        shares = "; ".join(
            f"{name} {f['abstention_precision']:.3f} (recall {f['abstention_recall']:.3f}, "
            f"correctness {f['correctness']:.3f})"
            for name, f in at["by_set"].items()
            if f
        )
        lines += [
            "",
            f"Decline precision at recall ≥ {at['recall']:.2f}, the best any one threshold on "
            f"the held-out decline probabilities gives: {shares}.",
        ]
    lines += [
        "",
        f"Reader: logistic model over {len(model['model']['features'])} signals, fitted on "
        f"SelQA ({model['data']['selqa_questions']:,} questions) and the gold sets (weight "
        f"{model['gold_weight']:g}, C = {model['c']}); SelQA MAP {model['selqa_cv_map']:.3f} "
        f"cross-validated vs {model['selqa_plain_cosine_map']:.3f} for the cosine alone "
        "(questions through the query adapter, which was fitted on SelQA's other file). "
        f"Decline rule: threshold {calibration['threshold']} on its fitted probability, "
        f"missing-name veto {'on' if calibration['entity_veto'] else 'off'}; further "
        f"sentences join the answer at ≥ {calibration['relative_floor']} × the best one's "
        "probability. Written by `python benchmarks/reader_report.py`.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-readme", action="store_true", help="Do not touch the docs.")
    args = parser.parse_args()
    model = json.loads((ANSWER / "reader_model.json").read_text("utf-8"))
    calibration = json.loads((ANSWER / "calibration.json").read_text("utf-8"))
    text = markdown(model, calibration)
    print(text)
    if not args.no_readme:
        update_block(README_BLOCK, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
