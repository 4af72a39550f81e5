"""The worker's course catalogue: published courses with their language, how well liked they are
and how far this worker has got, filtered the way the catalogue screen asks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from extraction.learning import CatalogueEntry, attempts_of, catalogue
from rag.published import published_versions
from shifu.context import Context
from shifu.tables import CourseRow, RatingRow

LIKED = 4  # stars from which a rating counts as liked (好评)


@dataclass(frozen=True)
class CatalogueRow:
    """One published course as a worker sees it in the catalogue."""

    entry: CatalogueEntry
    language: str
    liked: float | None  # share of ratings with LIKED stars or more; None when nobody rated it
    ratings: int
    best_score: int | None  # the worker's best quiz score on it, None before a first attempt
    total: int | None
    passed: bool


def _languages(ctx: Context) -> dict[str, str]:
    with ctx.unit_of_work() as s:
        return dict(s.execute(published_versions(CourseRow.id, CourseRow.language)).all())


def _liked(ctx: Context) -> dict[str, tuple[int, int]]:
    """course id -> (ratings, liked ratings)."""
    with ctx.unit_of_work() as s:
        rows = s.execute(select(RatingRow.course_id, func.count(), func.sum(case((RatingRow.stars >= LIKED, 1), else_=0)))
                         .group_by(RatingRow.course_id)).all()
        return {cid: (int(n), int(liked or 0)) for cid, n, liked in rows}


def catalogue_rows(ctx: Context, username: str, *, trade: str | None = None, enterprise: str | None = None,
                   language: str | None = None, entries: list[CatalogueEntry] | None = None) -> list[CatalogueRow]:
    """Published courses for this worker, filtered by trade, enterprise and course language (None: all).

    `entries`: the whole catalogue when the caller has it already (the screen lists every trade
    too), so the published courses are not read and parsed twice for one page."""
    languages, liked = _languages(ctx), _liked(ctx)
    out = []
    for e in catalogue(ctx, trade=trade, enterprise=enterprise) if entries is None else entries:
        if entries is not None and ((trade and (e.trade or "") != trade)
                                    or (enterprise and (e.enterprise or "") != enterprise)):
            continue
        lang = languages.get(e.course_id, "zh")
        if language and lang != language:
            continue
        n, good = liked.get(e.course_id, (0, 0))
        tries = attempts_of(ctx, username, e.course_id)
        best = max(tries, key=lambda a: a["score"]) if tries else None
        out.append(CatalogueRow(e, lang, good / n if n else None, n, best["score"] if best else None,
                                best["total"] if best else None, any(a["passed"] for a in tries)))
    return out
