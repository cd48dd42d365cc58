"""Experiment: a MiniLM cross-encoder fine-tuned on SelQA, scored on WikiQA dev.

    python -m benchmarks.cross_encoder_experiment train [--negatives N] [--out /tmp/ce-model]
    python -m benchmarks.cross_encoder_experiment eval [--out /tmp/ce-model]
    python -m benchmarks.cross_encoder_experiment speed [--out /tmp/ce-model] [--onnx]

Starts from the shipped all-MiniLM-L6-v2 weights (nothing is downloaded) with a fresh
one-logit head, trained with BCE on (question, sentence) pairs of both SelQA files, 10%
of the questions held out to pick the better of the mid-epoch and end-of-epoch weights.
WikiQA is only ever scored (its licence forbids training on it). The model is written
outside the repository; this is a measurement, not part of the bot.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import numpy.typing as npt
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from benchmarks.answer_selection import SelectionQuestion, evaluate, load_selqa, load_wikiqa
from retrieval.embedding import load_embedder, resolve_model_path

log = logging.getLogger(__name__)

SELQA = Path("/work/shared/benchmarks/selqa")
WIKIQA = Path("/work/shared/benchmarks/wikiqa")
DEFAULT_OUT = Path("/tmp/ce-model")
MODEL = "all-MiniLM-L6-v2"
MAX_LENGTH = 128
SEED = 13
HOLDOUT_FRACTION = 0.1

Pair = tuple[str, str, int]


def seed_everything(seed: int) -> None:
    """Same shuffles, same head initialisation, same dropout masks on every run."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def split_selqa(seed: int) -> tuple[list[SelectionQuestion], list[SelectionQuestion]]:
    """Both SelQA files, split by question (not by pair) into train and holdout."""
    questions = [
        q for name in ("dev", "test") for q in load_selqa(SELQA / f"selqa-ass-{name}.json")
    ]
    order = list(range(len(questions)))
    random.Random(seed).shuffle(order)
    n_hold = round(len(questions) * HOLDOUT_FRACTION)
    hold = {order[i] for i in range(n_hold)}
    train = [q for i, q in enumerate(questions) if i not in hold]
    holdout = [q for i, q in enumerate(questions) if i in hold]
    return train, holdout


def make_pairs(
    questions: Sequence[SelectionQuestion], negatives: int | None, seed: int
) -> list[Pair]:
    """Every positive, and all negatives or ``negatives`` sampled per question, shuffled."""
    rng = random.Random(seed)
    pairs: list[Pair] = []
    for q in questions:
        pos = [c for c, y in zip(q.candidates, q.labels, strict=True) if y]
        neg = [c for c, y in zip(q.candidates, q.labels, strict=True) if not y]
        if negatives is not None and len(neg) > negatives:
            neg = rng.sample(neg, negatives)
        pairs += [(q.question, c, 1) for c in pos] + [(q.question, c, 0) for c in neg]
    rng.shuffle(pairs)
    return pairs


@torch.inference_mode()
def score_pairs(
    model: torch.nn.Module, tokenizer: object, pairs: Sequence[tuple[str, str]], batch: int = 64
) -> npt.NDArray[np.float64]:
    """Logits of the cross-encoder for ``(question, sentence)`` pairs."""
    model.eval()
    out: list[float] = []
    for start in range(0, len(pairs), batch):
        chunk = pairs[start : start + batch]
        enc = tokenizer(  # type: ignore[operator]
            [a for a, _ in chunk],
            [b for _, b in chunk],
            truncation=True,
            max_length=MAX_LENGTH,
            padding=True,
            return_tensors="pt",
        )
        out += model(**enc).logits[:, 0].tolist()
    return np.asarray(out, dtype=np.float64)


def score_questions(
    model: torch.nn.Module, tokenizer: object, questions: Sequence[SelectionQuestion]
) -> dict[str, npt.NDArray[np.float64]]:
    """Cross-encoder logits per question id, candidates in document order."""
    pairs = [(q.question, c) for q in questions for c in q.candidates]
    flat = score_pairs(model, tokenizer, pairs)
    out, at = {}, 0
    for q in questions:
        out[q.id] = flat[at : at + len(q.candidates)]
        at += len(q.candidates)
    return out


def selection_map(
    questions: Sequence[SelectionQuestion],
    scores: dict[str, npt.NDArray[np.float64]],
    ranked: set[str] | None = None,
) -> tuple[float, float]:
    """MAP and MRR of ``scores`` (over ``ranked``, else questions with a right and a wrong)."""
    report = evaluate(questions, ranked, lambda q: scores[q.id].tolist())
    return report.map, report.mrr


def train(args: argparse.Namespace) -> None:
    """Fine-tune one epoch, keep the holdout-better checkpoint, save it to ``args.out``."""
    torch.set_num_threads(2)
    seed_everything(SEED)
    train_q, hold_q = split_selqa(SEED)
    if args.questions:
        # The 2-core box is shared: the pair budget, not the data, bounds one epoch.
        train_q = random.Random(SEED + 1).sample(train_q, args.questions)
    pairs = make_pairs(train_q, args.negatives, SEED)
    n_pos = sum(y for _, _, y in pairs)
    log.info(
        "train: %d questions, %d pairs (%d positive); holdout: %d questions",
        len(train_q),
        len(pairs),
        n_pos,
        len(hold_q),
    )
    path = resolve_model_path(MODEL)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1)
    steps = (len(pairs) + args.batch - 1) // args.batch
    if args.max_steps:
        steps = min(steps, args.max_steps)
    optim = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warmup = max(1, int(0.1 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim,
        lambda s: (s + 1) / warmup if s < warmup else max(0.0, (steps - s) / (steps - warmup)),
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()

    best_map, best_step = -1.0, -1
    checkpoints = {steps} if not args.max_steps else set()
    hold_eval = hold_q[: args.holdout_eval] if args.holdout_eval else hold_q
    t0 = time.perf_counter()
    train_seconds = 0.0
    running = 0.0
    for step in range(1, steps + 1):
        model.train()
        chunk = pairs[(step - 1) * args.batch : step * args.batch]
        enc = tokenizer(
            [a for a, _, _ in chunk],
            [b for _, b, _ in chunk],
            truncation=True,
            max_length=MAX_LENGTH,
            padding=True,
            return_tensors="pt",
        )
        labels = torch.tensor([float(y) for _, _, y in chunk])
        loss = loss_fn(model(**enc).logits[:, 0], labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        sched.step()
        optim.zero_grad()
        running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
        if step % 20 == 0 or step == steps:
            elapsed = train_seconds + time.perf_counter() - t0
            log.info(
                "step %d/%d loss %.4f  %.1fs elapsed, ~%.0fs left",
                step,
                steps,
                running,
                elapsed,
                elapsed / step * (steps - step),
            )
        if step in checkpoints:
            train_seconds += time.perf_counter() - t0
            hold_map, hold_mrr = selection_map(
                hold_eval, score_questions(model, tokenizer, hold_eval)
            )
            log.info("holdout at step %d: MAP %.4f MRR %.4f", step, hold_map, hold_mrr)
            if hold_map > best_map:
                best_map, best_step = hold_map, step
                model.save_pretrained(args.out)
                tokenizer.save_pretrained(args.out)
            t0 = time.perf_counter()
    train_seconds += time.perf_counter() - t0
    if args.max_steps:
        log.info("probe: %d steps in %.1fs", steps, train_seconds)
        return
    summary = {
        "train_questions": len(train_q),
        "train_pairs": len(pairs),
        "train_positives": n_pos,
        "negatives_per_question": args.negatives,
        "holdout_questions": len(hold_q),
        "holdout_questions_scored": len(hold_eval),
        "lr": args.lr,
        "batch": args.batch,
        "steps": steps,
        "train_seconds_excluding_holdout_eval": round(train_seconds, 1),
        "best_step": best_step,
        "holdout_map": round(best_map, 4),
    }
    (args.out / "experiment.json").write_text(json.dumps(summary, indent=2))
    log.info("saved %s: %s", args.out, summary)


def zscore(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Standardised within one question's candidates (no fitted weights, no labels)."""
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else x - x.mean()


def wikiqa_ranked(questions: Sequence[SelectionQuestion]) -> set[str]:
    """Ids of the questions ``WikiQA-dev-filtered.ref`` keeps.

    The ref's first column is the question number counted from 1 (checked: it is then
    exactly the questions with a right and a wrong candidate), not from 0.
    """
    ref = (WIKIQA / "WikiQA-dev-filtered.ref").read_text().splitlines()
    numbers = {int(line.split()[0]) - 1 for line in ref if line.strip()}
    kept = {q.id for n, q in enumerate(questions) if n in numbers}
    mixed = {q.id for q in questions if 0 < sum(q.labels) < len(q.labels)}
    if kept != mixed:
        raise SystemExit("WikiQA-dev-filtered.ref does not match the mixed-label questions")
    return kept


def evaluate_wikiqa(args: argparse.Namespace) -> None:
    """WikiQA dev MAP/MRR of the cross-encoder alone and summed with bi-encoder cosine."""
    torch.set_num_threads(2)
    questions, _ = load_wikiqa(WIKIQA, "dev")
    kept = wikiqa_ranked(questions)
    tokenizer = AutoTokenizer.from_pretrained(args.out)
    model = AutoModelForSequenceClassification.from_pretrained(args.out)
    t0 = time.perf_counter()
    ce = score_questions(model, tokenizer, questions)
    ce_seconds = time.perf_counter() - t0
    embedder = load_embedder(MODEL)
    cos = {}
    for q in questions:
        qv = embedder.embed_query(q.question)
        cos[q.id] = (embedder.embed_documents(list(q.candidates)) @ qv).astype(np.float64)
    combined = {i: zscore(ce[i]) + zscore(cos[i]) for i in ce}
    results: dict[str, object] = {}
    for name, scores in (("cross_encoder", ce), ("bi_cosine", cos), ("ce_plus_cosine", combined)):
        m, r = selection_map(questions, scores, kept)
        results[name] = {"map": round(m, 4), "mrr": round(r, 4)}
        log.info("WikiQA dev (%d ranked) %-15s MAP %.4f MRR %.4f", len(kept), name, m, r)
    n_pairs = sum(len(q.candidates) for q in questions)
    results["wikiqa_pairs_scored"] = n_pairs
    results["wikiqa_ce_seconds"] = round(ce_seconds, 1)
    (args.out / "wikiqa.json").write_text(json.dumps(results, indent=2))


def _sentence(rng: random.Random, words: Sequence[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n))


def speed(args: argparse.Namespace) -> None:
    """Warm latency of one batch of 20 ~30-word pairs: median of 20 runs (torch, onnx)."""
    torch.set_num_threads(2)
    questions, _ = load_wikiqa(WIKIQA, "dev")
    words = [w for q in questions for c in q.candidates for w in c.split()]
    rng = random.Random(SEED)
    batch = [(_sentence(rng, words, 10), _sentence(rng, words, 30)) for _ in range(20)]
    tokenizer = AutoTokenizer.from_pretrained(args.out)
    model = AutoModelForSequenceClassification.from_pretrained(args.out).eval()
    enc = tokenizer(
        [a for a, _ in batch],
        [b for _, b in batch],
        truncation=True,
        max_length=MAX_LENGTH,
        padding=True,
        return_tensors="pt",
    )
    log.info("batch shape %s", tuple(enc["input_ids"].shape))

    def timed(fn: object, runs: int = 20) -> float:
        fn()  # type: ignore[operator]
        fn()  # type: ignore[operator]
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()  # type: ignore[operator]
            times.append((time.perf_counter() - t0) * 1000)
        return statistics.median(times)

    with torch.inference_mode():
        ms_model = timed(lambda: model(**enc))
        ms_tok = timed(
            lambda: model(
                **tokenizer(
                    [a for a, _ in batch],
                    [b for _, b in batch],
                    truncation=True,
                    max_length=MAX_LENGTH,
                    padding=True,
                    return_tensors="pt",
                )
            )
        )
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    weights = (args.out / "model.safetensors").stat().st_size
    out = {
        "torch_forward_ms_median": round(ms_model, 1),
        "torch_tokenize_plus_forward_ms_median": round(ms_tok, 1),
        "model_dir_bytes": size,
        "weights_bytes": weights,
    }
    log.info("torch: forward %.1f ms, tokenize+forward %.1f ms (median of 20)", ms_model, ms_tok)
    if args.onnx:
        import onnxruntime as ort

        onnx_path = Path("/tmp/ce-model-onnx/model.onnx")
        onnx_path.parent.mkdir(exist_ok=True)
        names = ["input_ids", "attention_mask", "token_type_ids"]
        dyn = {n: {0: "batch", 1: "seq"} for n in names}
        with torch.inference_mode():
            torch.onnx.export(
                model,
                tuple(enc[n] for n in names),
                str(onnx_path),
                input_names=names,
                output_names=["logits"],
                dynamic_axes={**dyn, "logits": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 2
        sess = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        feed = {n: enc[n].numpy() for n in names}
        ms_onnx = timed(lambda: sess.run(None, feed))
        with torch.inference_mode():
            ref = model(**enc).logits[:, 0].numpy()
        diff = float(np.abs(sess.run(None, feed)[0][:, 0] - ref).max())
        out["onnx_forward_ms_median"] = round(ms_onnx, 1)
        out["onnx_bytes"] = onnx_path.stat().st_size
        out["onnx_max_abs_logit_diff"] = diff
        log.info("onnx: forward %.1f ms (median of 20), max |diff| %.2e", ms_onnx, diff)
    (args.out / "speed.json").write_text(json.dumps(out, indent=2))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``train``, ``eval`` or ``speed``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("train", "eval", "speed"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--negatives", type=int, default=None, help="per question; all if unset")
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--max-steps", type=int, default=0, help="timing probe: stop early")
    parser.add_argument("--questions", type=int, default=0, help="train on a sample of these")
    parser.add_argument("--holdout-eval", type=int, default=0, help="score only the first N")
    parser.add_argument("--onnx", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    {"train": train, "eval": evaluate_wikiqa, "speed": speed}[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
