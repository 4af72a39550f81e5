"""Accounts imported from a CSV file (name, role, enterprise[, password]): every row is checked
first, and either all rows become accounts in one transaction or none does.

Each row gets one report line. A row without a password gets a generated one, shown once in
the report so the admin can hand it over.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass

from shifu.auth import ROLES, add_user, get_user
from shifu.context import Context
from shifu.errors import ShifuError

# Roles as an admin may write them in the file (Chinese or English).
_ROLE_WORDS = {"内训师": "trainer", "培训师": "trainer", "职工": "worker", "职工学员": "worker", "学员": "worker",
               "管理员": "admin", **{r: r for r in ROLES}}
_HEADERS = {"name": "name", "姓名": "name", "用户名": "name", "username": "name", "role": "role", "角色": "role",
            "enterprise": "enterprise", "企业": "enterprise", "password": "password", "密码": "password"}


@dataclass(frozen=True)
class ImportLine:
    """What happened to one row: its number in the file, the user name, and a sentence in both languages."""

    row: int
    name: str
    ok: bool
    zh: str
    en: str
    password: str = ""  # generated for this row (shown once)


def _rows(text: str) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    lines = [r for r in reader if any(x.strip() for x in r)]
    if not lines:
        return []
    first = [_HEADERS.get(x.strip().lower(), _HEADERS.get(x.strip(), "")) for x in lines[0]]
    if "name" in first:  # a header row
        return [{k: (r[i].strip() if i < len(r) else "") for i, k in enumerate(first) if k} for r in lines[1:]]
    keys = ["name", "role", "enterprise", "password"]
    return [{k: (r[i].strip() if i < len(r) else "") for i, k in enumerate(keys)} for r in lines]


def _check(ctx: Context, n: int, row: dict[str, str], seen: set[str]) -> ImportLine | None:
    """A refusal line for a row that cannot be imported, else None."""
    name, role = row.get("name", ""), _ROLE_WORDS.get(row.get("role", "").strip().lower(), _ROLE_WORDS.get(row.get("role", "").strip()))
    if not name:
        return ImportLine(n, name, False, "缺少用户名", "the name is missing")
    if role is None:
        return ImportLine(n, name, False, f"角色“{row.get('role', '')}”无法识别，请写内训师、职工学员或管理员",
                          f"role {row.get('role', '')!r} is not known; write trainer, worker or admin")
    if name in seen or get_user(ctx, name) is not None:
        return ImportLine(n, name, False, f"用户 {name} 已存在", f"user {name} already exists")
    seen.add(name)
    return None


def import_users(ctx: Context, text: str) -> tuple[bool, list[ImportLine]]:
    """(imported?, one line per row). Nothing is imported when any row is refused."""
    rows = _rows(text)
    seen: set[str] = set()
    refused = [line for n, row in enumerate(rows, 1) if (line := _check(ctx, n, row, seen))]
    if refused or not rows:
        ok_rows = {line.row for line in refused}
        waiting = [ImportLine(n, row.get("name", ""), False, "未导入（文件中有其他行需要先修正）",
                              "not imported (other rows need fixing first)")
                   for n, row in enumerate(rows, 1) if n not in ok_rows]
        return False, sorted(refused + waiting, key=lambda x: x.row)
    done: list[ImportLine] = []
    try:
        with ctx.unit_of_work():  # all rows or none
            for n, row in enumerate(rows, 1):
                password = row.get("password") or secrets.token_urlsafe(9)
                role = _ROLE_WORDS.get(row["role"].strip().lower(), _ROLE_WORDS.get(row["role"].strip(), "worker"))
                add_user(ctx, row["name"], password, role, row.get("enterprise") or None)
                done.append(ImportLine(n, row["name"], True, "已导入", "imported",
                                       "" if row.get("password") else password))
    except ShifuError as exc:
        return False, [ImportLine(len(done) + 1, "", False, f"导入失败，未导入任何用户：{exc}",
                                  f"import failed, no user was imported: {exc}")]
    return True, done
