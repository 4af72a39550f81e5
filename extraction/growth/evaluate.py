"""`shifu eval mastery`: BKT against the "share right so far" baseline on simulated learners with known parameters."""

from __future__ import annotations

import random
from dataclasses import asdict

import numpy as np

from extraction.growth.mastery import SkillParams, fit, predictions


def simulate(params: SkillParams, learners: int, answers: int, rng: random.Random) -> list[list[int]]:
    """Answer sequences of simulated learners who follow BKT with these parameters."""
    out = []
    for _ in range(learners):
        known, row = rng.random() < params.p_init, []
        for _ in range(answers):
            right = (rng.random() >= params.p_slip) if known else (rng.random() < params.p_guess)
            row.append(int(right))
            known = known or rng.random() < params.p_learn
        out.append(row)
    return out


def share_so_far(sequences: list[list[int]]) -> list[list[float]]:
    """The baseline: the share of right answers so far (a half before the first, with one pseudo-answer each way)."""
    out = []
    for q in sequences:
        right, row = 0, []
        for n, r in enumerate(q):
            row.append((right + 1) / (n + 2))
            right += r
        out.append(row)
    return out


def auc(truth: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (rank formula, ties shared)."""
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    s = score[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = truth == 1
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if not n_pos or not n_neg:
        return float("nan")
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def calibration_error(truth: np.ndarray, score: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: |mean predicted - share right| per decile of prediction, weighted."""
    edges = np.minimum((score * bins).astype(int), bins - 1)
    err = 0.0
    for b in range(bins):
        m = edges == b
        if m.any():
            err += m.mean() * abs(score[m].mean() - truth[m].mean())
    return float(err)


def _scores(sequences: list[list[int]], preds: list[list[float]]) -> dict:
    truth = np.array([r for q in sequences for r in q], dtype=float)
    score = np.array([p for q in preds for p in q], dtype=float)
    return {"auc": round(auc(truth, score), 4), "ece": round(calibration_error(truth, score), 4),
            "brier": round(float(((score - truth) ** 2).mean()), 4)}


def run(seed: int = 7, skills: int = 4, learners: int = 300, answers: int = 12) -> dict:
    """Simulate skills with known parameters, fit BKT on half the learners, score next answers on the other half."""
    rng = random.Random(seed)
    per_skill: list[dict] = []
    tests, fitted_preds, true_preds, base_preds = [], [], [], []
    for k in range(skills):
        true = SkillParams(p_init=rng.uniform(0.1, 0.5), p_learn=rng.uniform(0.05, 0.3),
                           p_slip=rng.uniform(0.05, 0.2), p_guess=rng.uniform(0.1, 0.3))
        seqs = simulate(true, learners, answers, rng)
        train, test = seqs[: learners // 2], seqs[learners // 2:]
        got = fit(train)
        per_skill.append({"skill": k, "true": {a: round(v, 3) for a, v in asdict(true).items()},
                          "fitted": asdict(got)})
        tests += test
        fitted_preds += predictions(test, got)
        true_preds += predictions(test, true)
        base_preds += share_so_far(test)
    return {"seed": seed, "learners": learners, "answers_per_learner": answers, "skills": per_skill,
            "bkt_fitted": _scores(tests, fitted_preds), "bkt_true_params": _scores(tests, true_preds),
            "share_so_far": _scores(tests, base_preds)}
