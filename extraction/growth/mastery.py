"""Bayesian Knowledge Tracing: what a worker knows of a skill, updated in closed form with each answer.

The four parameters of a skill (BKT's usual names): ``p_init`` known before any practice,
``p_learn`` learnt at one practice, ``p_slip`` wrong although known, ``p_guess`` right although
not known. Item difficulty is tracked online with an Elo update. Parameters per skill are fitted
from the population's answers by a grid search on the likelihood in numpy (pyBKT needs scikit-learn
and scipy, which shifu does not ship).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

PROFICIENT = 0.95  # the usual BKT mastery threshold
MIN_EVIDENCE = 5  # below this many answers a mastery estimate is shown as "not enough evidence yet"


@dataclass(frozen=True)
class SkillParams:
    p_init: float = 0.2
    p_learn: float = 0.15
    p_slip: float = 0.1
    p_guess: float = 0.2


DEFAULT = SkillParams()


def update(p_known: float, right: bool, params: SkillParams = DEFAULT) -> float:
    """The probability the skill is known after one more answer (Bayes on the answer, then learning)."""
    s, g = params.p_slip, params.p_guess
    if right:
        post = p_known * (1 - s) / (p_known * (1 - s) + (1 - p_known) * g)
    else:
        post = p_known * s / (p_known * s + (1 - p_known) * (1 - g))
    return post + (1 - post) * params.p_learn


def p_right(p_known: float, params: SkillParams = DEFAULT) -> float:
    """The probability the next answer on this skill is right."""
    return p_known * (1 - params.p_slip) + (1 - p_known) * params.p_guess


@dataclass(frozen=True)
class Estimate:
    """A mastery estimate as the worker sees it: the probability, a band around it, and the evidence."""

    p_known: float
    attempts: int
    correct: int

    @property
    def enough(self) -> bool:
        return self.attempts >= MIN_EVIDENCE

    @property
    def band(self) -> float:
        """Half-width of an approximate 90% band: the estimate is as sure as the answers behind it."""
        return min(0.5, 1.645 * math.sqrt(self.p_known * (1 - self.p_known) / (self.attempts + 2)) + 0.5 / (self.attempts + 2))

    @property
    def proficient(self) -> bool:
        return self.enough and self.p_known >= PROFICIENT

    def label(self, lang: str = "zh") -> str:
        if not self.enough:
            return (f"证据不足（{self.attempts}/{MIN_EVIDENCE} 次作答）" if lang == "zh"
                    else f"not enough evidence yet ({self.attempts}/{MIN_EVIDENCE} answers)")
        pct, band = round(100 * self.p_known), round(100 * self.band)
        word = ("已掌握" if self.proficient else "学习中") if lang == "zh" else ("proficient" if self.proficient else "learning")
        return f"{word} {pct}% ±{band}%"


# --- item difficulty (Elo) -------------------------------------------------------------


def elo_update(difficulty: float, answers: int, ability: float, right: bool) -> float:
    """A quiz item's difficulty (logits) after one answer by a worker of `ability` (logits)."""
    expected = 1 / (1 + math.exp(-(ability - difficulty)))
    k = 0.4 / (1 + 0.05 * answers)  # big steps while little is known, small ones later
    return difficulty + k * (expected - (1.0 if right else 0.0))


def logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


# --- fitting per-skill parameters --------------------------------------------------------

_GRID = {
    "p_init": (0.05, 0.15, 0.3, 0.5, 0.7),
    "p_learn": (0.02, 0.05, 0.1, 0.2, 0.3, 0.45),
    "p_slip": (0.02, 0.05, 0.1, 0.2, 0.3),
    "p_guess": (0.05, 0.1, 0.2, 0.3, 0.4),
}
MIN_FIT_ANSWERS = 200  # fewer answers than this keep the defaults


def _padded(sequences: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    n, length = len(sequences), max((len(q) for q in sequences), default=0)
    obs = np.zeros((n, length), dtype=np.float64)
    mask = np.zeros((n, length), dtype=bool)
    for i, q in enumerate(sequences):
        obs[i, :len(q)] = q
        mask[i, :len(q)] = True
    return obs, mask


def predictions(sequences: list[list[int]], params: SkillParams) -> list[list[float]]:
    """For each sequence of answers (1 right, 0 wrong), the probability of each answer before it was given."""
    out = []
    for q in sequences:
        p, row = params.p_init, []
        for r in q:
            row.append(p_right(p, params))
            p = update(p, bool(r), params)
        out.append(row)
    return out


def fit(sequences: list[list[int]]) -> SkillParams:
    """Maximum-likelihood parameters on a grid, all grid points at once; defaults when data is thin."""
    if sum(len(q) for q in sequences) < MIN_FIT_ANSWERS:
        return DEFAULT
    combos = [c for c in itertools.product(*_GRID.values()) if c[2] + c[3] < 1]  # identifiable: slip+guess < 1
    grid = np.array(combos)  # (G, 4)
    pi, pt, ps, pg = (grid[:, k][:, None] for k in range(4))
    obs, mask = _padded(sequences)
    p = np.broadcast_to(pi, (len(grid), len(sequences))).copy()
    loglik = np.zeros(len(grid))
    for t in range(obs.shape[1]):
        r, m = obs[:, t][None, :], mask[:, t][None, :]
        right = p * (1 - ps) + (1 - p) * pg
        loglik += np.where(m, np.log(np.where(r == 1, right, 1 - right)), 0).sum(axis=1)
        post = np.where(r == 1, p * (1 - ps) / right, p * ps / (1 - right))
        p = np.where(m, post + (1 - post) * pt, p)
    return SkillParams(*map(float, grid[int(np.argmax(loglik))]))
