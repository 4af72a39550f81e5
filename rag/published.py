"""What a worker may see: the published version of each published course, and nothing else.

Every reader on the worker's side (the catalogue, lessons, quizzes, the Q&A scope) starts from
this one query, so a draft or an older version can never reach a worker by a second route.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

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
