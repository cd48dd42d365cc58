"""Experiment: the query adapter's LoRA on both sides (questions *and* sentences).

    python -m benchmarks.symmetric_adapter_experiment [--epochs N] [--negatives N]

The shipped adapter (:mod:`retrieval.query_adapter.fit`) moves only questions: passages
keep the plain model's vectors, so an index stays valid. This measures what adapting the
sentence side too would buy, with the same SelQA file, settings and loss, every
sentence encoded through the adapter at each step. To fit in a session on two cores,
each question keeps its answers and ``--negatives`` of its other sentences, and
sentences are cut at 64 tokens while training (measurement uses the full 128).

Prints the question↔sentence cosine MAP on SelQA's held-out file and on WikiQA dev
(scored only: its licence forbids fitting on it), plain and adapted. Nothing is written:
this is a measurement, not part of the bot (shipping it would mean re-embedding every
index).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import numpy.typing as npt
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.answer_selection import load_wikiqa  # noqa: E402
from retrieval.query_adapter.fit import (  # noqa: E402
    DEFAULT_SELQA,
    HELD_OUT_FILE,
    MODEL,
    SETTINGS,
    TRAIN_FILE,
    Question,
    answer_loss,
    cosine_map,
    load,
    seeded_adapter,
)

DEFAULT_WIKIQA = ROOT.parent / "shared" / "benchmarks" / "wikiqa"
TRAIN_SENTENCE_TOKENS = 64


def _capped(questions: Sequence[Question], negatives: int, seed: int) -> list[Question]:
    """Each question with its answers first, then at most ``negatives`` other sentences."""
    rng = random.Random(seed)
    out = []
    for q, cands, answers in questions:
        others = [c for i, c in enumerate(cands) if i not in answers]
        kept = rng.sample(others, min(negatives, len(others)))
        out.append((q, [cands[i] for i in answers] + kept, list(range(len(answers)))))
    return out


def train(encoder: Any, tokenizer: Any, questions: Sequence[Question], epochs: int) -> None:
    """The shipped adapter's loss, with the sentences' vectors trained too."""
    s = SETTINGS
    params = [p for p in encoder.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=s["learning_rate"])
    items = list(questions)
    order = random.Random(s["seed"])
    started = time.perf_counter()
    for epoch in range(epochs):
        order.shuffle(items)
        for step, start in enumerate(range(0, len(items), s["batch"])):
            batch = items[start : start + s["batch"]]
            texts = sorted({c for _, cands, _ in batch for c in cands})
            row = {c: i for i, c in enumerate(texts)}
            qv = encoder(**_tokens(tokenizer, [q for q, _, _ in batch], s["max_length"]))
            sv = encoder(**_tokens(tokenizer, texts, TRAIN_SENTENCE_TOKENS))
            loss = torch.zeros(())
            for i, (_, cands, answers) in enumerate(batch):
                loss = loss + answer_loss(qv[i], sv[[row[c] for c in cands]], answers)
            optimiser.zero_grad()
            (loss / len(batch)).backward()
            optimiser.step()
            if step % 10 == 0:
                elapsed = time.perf_counter() - started
                print(f"epoch {epoch + 1} step {step}: {elapsed:.0f} s", file=sys.stderr)


def _tokens(tokenizer: Any, texts: Sequence[str], max_length: int) -> dict[str, Any]:
    t = tokenizer(
        list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="pt"
    )
    return {"input_ids": t["input_ids"], "attention_mask": t["attention_mask"]}


def embed(encoder: Any, tokenizer: Any, texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Unit vectors of ``texts`` through ``encoder``."""
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), 128):
            chunk = texts[i : i + 128]
            out.append(encoder(**_tokens(tokenizer, chunk, SETTINGS["max_length"])).numpy())
    return np.concatenate(out)


def measure(q_encoder: Any, s_encoder: Any, tokenizer: Any, questions: Sequence[Question]) -> float:
    """Cosine MAP of ``questions`` with questions and sentences through the encoders given."""
    texts = sorted({c for _, cands, _ in questions for c in cands})
    svecs = dict(zip(texts, embed(s_encoder, tokenizer, texts), strict=True))
    qvecs = embed(q_encoder, tokenizer, [q for q, _, _ in questions])
    return round(cosine_map(questions, qvecs, svecs), 4)


def main(argv: Sequence[str] | None = None) -> int:
    """Train on SelQA's training file, print held-out and WikiQA dev cosine MAP."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--selqa", type=Path, default=DEFAULT_SELQA)
    parser.add_argument("--wikiqa", type=Path, default=DEFAULT_WIKIQA)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--negatives", type=int, default=7)
    args = parser.parse_args(argv)

    from transformers import AutoModel

    from retrieval.embedding import resolve_model_path
    from retrieval.encoders.onnx_export import mean_pooled

    tokenizer, _, adapted = seeded_adapter()
    plain = mean_pooled(AutoModel.from_pretrained(str(resolve_model_path(MODEL))))
    train_qs = [q for q in load(args.selqa / TRAIN_FILE) if q[2]]
    started = time.perf_counter()
    train(adapted, tokenizer, _capped(train_qs, args.negatives, SETTINGS["seed"]), args.epochs)
    held = load(args.selqa / HELD_OUT_FILE)
    wq, kept = load_wikiqa(args.wikiqa, "dev")
    wiki = [
        (q.question, list(q.candidates), [i for i, y in enumerate(q.labels) if y])
        for q in wq
        if q.id in kept
    ]
    figures = {
        "epochs": args.epochs,
        "negatives": args.negatives,
        "selqa_held_out": {
            "plain": measure(plain, plain, tokenizer, held),
            "both_sides_adapted": measure(adapted, adapted, tokenizer, held),
        },
        "wikiqa_dev": {
            "plain": measure(plain, plain, tokenizer, wiki),
            "both_sides_adapted": measure(adapted, adapted, tokenizer, wiki),
        },
        "seconds": round(time.perf_counter() - started),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
