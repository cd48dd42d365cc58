"""Fit the query adapter: a LoRA on the embedding model's question side, trained on SelQA.

    python -m retrieval.query_adapter.fit [--selqa DIR] [--check] [--cache FILE]

Passages and sentences keep the shipped model's vectors (the index does not change);
only questions pass through the adapted model, trained so that a question's vector lies
closest to the sentences that answer it. Each SelQA question (Jurczyk, Zhai & Choi 2016;
Apache-2.0) comes with the sentences of one Wikipedia section; the loss is the softmax
cross-entropy of the answering sentences among them, over their frozen vectors. Only
``selqa-ass-test.json`` trains it: ``selqa-ass-dev.json`` is left for the reader
(:mod:`retrieval.answer.fit_reader`), which learns how far to trust the cosine, and for
this script's held-out figure. WikiQA is never used (its licence forbids it).

Low-rank (LoRA, through ``peft``) so that what ships is small: the adapter's weights and
config in ``retrieval/query_adapter/selqa/``; the adapted model is merged and exported
on first use (:mod:`retrieval.query_adapter`). ``--check`` refits and exits 1
unless the result matches the shipped adapter.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ADAPTER_DIR = HERE / "selqa"
DEFAULT_SELQA = HERE.parent.parent.parent / "shared" / "benchmarks" / "selqa"
TRAIN_FILE = "selqa-ass-test.json"
HELD_OUT_FILE = "selqa-ass-dev.json"
MODEL = "all-MiniLM-L6-v2"
FIT_FILE = "fit.json"
WEIGHTS_FILE = "adapter_model.safetensors"

#: Training settings (recorded in ``fit.json``).
SETTINGS: dict[str, Any] = {
    "rank": 8,
    "targets": ["query", "key", "value", "dense"],
    "epochs": 2,
    "learning_rate": 3e-4,
    "temperature": 0.05,
    "batch": 32,
    "seed": 0,
    "max_length": 128,
}

Question = tuple[str, list[str], list[int]]


def load(path: Path) -> list[Question]:
    """``(question, candidate sentences, answer indices)`` of one SelQA file."""
    if not path.is_file():
        raise SystemExit(f"SelQA file not found: {path}")
    items = json.loads(path.read_text(encoding="utf-8"))
    return [(i["question"], list(i["candidates"]), list(i["answers"])) for i in items]


def cosine_map(
    questions: Sequence[Question], qvecs: npt.NDArray[np.float32], svecs: dict[str, Any]
) -> float:
    """MAP of ranking each question's candidates by cosine to its vector."""
    from retrieval.answer.fit_reader import average_precision

    aps = []
    for (_, candidates, answers), q in zip(questions, qvecs, strict=True):
        if not answers or len(answers) == len(candidates):
            continue
        y = np.zeros(len(candidates), dtype=np.int64)
        y[answers] = 1
        aps.append(average_precision(np.stack([svecs[c] for c in candidates]) @ q, y))
    return float(np.mean(aps))


def seeded_adapter() -> tuple[Any, Any, Any]:
    """``(tokenizer, peft model, encoder)``: a fresh LoRA on the model, as :data:`SETTINGS`
    say, with every random generator seeded first (so a refit reproduces)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel, AutoTokenizer

    from retrieval.embedding import resolve_model_path
    from retrieval.encoders.onnx_export import mean_pooled

    s = SETTINGS
    random.seed(s["seed"])
    np.random.seed(s["seed"])
    torch.manual_seed(s["seed"])
    model_dir = str(resolve_model_path(MODEL))
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    config = LoraConfig(
        r=s["rank"], lora_alpha=2 * s["rank"], lora_dropout=0.0, target_modules=s["targets"]
    )
    peft_model = get_peft_model(AutoModel.from_pretrained(model_dir), config)
    encoder = mean_pooled(peft_model)  # eval mode: no dropout, so a refit reproduces
    return tokenizer, peft_model, encoder


def answer_loss(question: Any, sentences: Any, answers: Any) -> Any:
    """Cross-entropy of the answering ``sentences`` (indices ``answers``) among all of
    them, by their cosine to ``question`` (unit vectors) at :data:`SETTINGS`' temperature."""
    import torch

    logits = sentences @ question / SETTINGS["temperature"]
    return -(torch.logsumexp(logits[answers], 0) - torch.logsumexp(logits, 0))


def train(questions: Sequence[Question], svecs: dict[str, Any], out: Path) -> None:
    """Train the LoRA on ``questions`` and save it (``peft`` format) in ``out``."""
    import torch

    s = SETTINGS
    tokenizer, peft_model, encoder = seeded_adapter()
    items = [
        (q, torch.from_numpy(np.stack([svecs[c] for c in cands])), torch.tensor(answers))
        for q, cands, answers in questions
        if answers
    ]
    optimiser = torch.optim.AdamW(
        [p for p in peft_model.parameters() if p.requires_grad], lr=s["learning_rate"]
    )
    order = random.Random(s["seed"])
    for epoch in range(s["epochs"]):
        order.shuffle(items)
        total = 0.0
        for start in range(0, len(items), s["batch"]):
            batch = items[start : start + s["batch"]]
            tokens = tokenizer(
                [q for q, _, _ in batch],
                padding=True,
                truncation=True,
                max_length=s["max_length"],
                return_tensors="pt",
            )
            qv = encoder(tokens["input_ids"], tokens["attention_mask"])
            loss = torch.zeros(())
            for i, (_, sv, answers) in enumerate(batch):
                loss = loss + answer_loss(qv[i], sv, answers)
            loss = loss / len(batch)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss) * len(batch)
        log.info("epoch %d: mean loss %.4f", epoch + 1, total / len(items))
    peft_model.save_pretrained(str(out))
    _portable_config(out / "adapter_config.json")


def _portable_config(path: Path) -> None:
    """The saved config names the model, not this machine's path to it, in a stable order."""
    config = json.loads(path.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = MODEL
    config["target_modules"] = sorted(config["target_modules"])
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (path.parent / "README.md").unlink(missing_ok=True)  # peft's empty model card


def fit(selqa: Path, out: Path, cache: Path | None = None) -> dict[str, Any]:
    """Train the adapter into ``out``; its held-out figures (also written to ``fit.json``)."""
    from retrieval.answer.fit_reader import embed_all
    from retrieval.embedding import load_embedder
    from retrieval.query_adapter import load_adapted

    train_qs, held_qs = load(selqa / TRAIN_FILE), load(selqa / HELD_OUT_FILE)
    svecs = embed_all([*train_qs, *held_qs], cache)
    train(train_qs, svecs, out)
    questions = [q for q, _, _ in held_qs]
    base = load_embedder(MODEL, "onnx").embed_documents(questions)
    adapted = load_adapted(out).embed_documents(questions)
    figures = {
        "about": "Query adapter fitted by `python -m retrieval.query_adapter.fit` "
        f"on SelQA's {TRAIN_FILE} (Apache-2.0, Jurczyk, Zhai & Choi 2016).",
        "model": MODEL,
        "settings": SETTINGS,
        "train_questions": len(train_qs),
        "held_out": {
            "file": HELD_OUT_FILE,
            "questions": len(held_qs),
            "cosine_map_base": round(cosine_map(held_qs, base, svecs), 4),
            "cosine_map_adapted": round(cosine_map(held_qs, adapted, svecs), 4),
        },
    }
    (out / FIT_FILE).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


def same_weights(a: Path, b: Path, tol: float = 1e-3) -> bool:
    """Whether two adapters hold the same weights (each within ``tol`` of the largest)."""
    from safetensors.numpy import load_file

    wa, wb = load_file(str(a / WEIGHTS_FILE)), load_file(str(b / WEIGHTS_FILE))
    if wa.keys() != wb.keys():
        return False
    return all(
        np.abs(wa[k] - wb[k]).max() <= tol * max(1e-6, float(np.abs(wa[k]).max())) for k in wa
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: fit into the package, or ``--check`` a refit against it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--selqa", type=Path, default=DEFAULT_SELQA, help="SelQA folder.")
    parser.add_argument("--check", action="store_true", help="Compare with the shipped one.")
    parser.add_argument("--cache", type=Path, default=None, help="Vector cache (.npy path).")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.check:
        print(json.dumps(fit(args.selqa, ADAPTER_DIR, args.cache), indent=2))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        figures = fit(args.selqa, Path(tmp), args.cache)
        print(json.dumps(figures, indent=2))
        shipped = json.loads((ADAPTER_DIR / FIT_FILE).read_text(encoding="utf-8"))
        same_map = all(
            abs(figures["held_out"][k] - shipped["held_out"][k]) <= 0.002
            for k in ("cosine_map_base", "cosine_map_adapted")
        )
        if not (same_map and same_weights(Path(tmp), ADAPTER_DIR)):
            print("the refitted query adapter differs from the shipped one", file=sys.stderr)
            return 1
    print("the shipped query adapter is reproduced")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
