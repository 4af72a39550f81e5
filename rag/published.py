"""What a worker may see: the published version of each published course, and nothing else.

Every reader on the worker's side (the catalogue, lessons, quizzes, the Q&A scope) starts from
this one query, so a draft or an older version can never reach a worker by a second route.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shifu.tables import CourseRow, CourseVersionRow


def published_versions(*columns: Any) -> Select[Any]:
    """SELECT columns (default: course and version rows) of every course's published version."""
    return (
        select(*(columns or (CourseRow, CourseVersionRow)))
        .select_from(CourseRow)
        .join(CourseVersionRow, (CourseVersionRow.course_id == CourseRow.id)
              & (CourseVersionRow.number == CourseRow.published_version))
        .where(CourseRow.status == "published", CourseRow.published_version.is_not(None))
    )


def published_sources(s: Session, transcript_ids: Collection[str] | None = None) -> set[str]:
    """Transcripts that are sources of the published version of a published course (of those asked about)."""
    rows = s.execute(published_versions(CourseVersionRow.transcript_ids))
    found = {str(tid) for (ids,) in rows for tid in (ids or [])}
    return found if transcript_ids is None else found & set(transcript_ids)
