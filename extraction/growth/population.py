"""`shifu demo population`: the programme's population at its real size, from a seed, into the configured database.

190 enterprises, 460 trainers, 130,000 workers, about two courses per trainer, and a year of quiz
attempts (~2M at full scale), ratings, mastery, assignments and knowledge gaps; then the
pre-aggregated totals the cockpit reads are rebuilt. `scale` shrinks everything for tests.
Every account gets one demo password (hashing 130,000 passwords would take an hour).
"""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from extraction.course import CourseDraft, Lesson, Module, Point, QuizItem
from extraction.growth.tiers import NATIONAL
from shifu.auth import hash_password
from shifu.errors import ConfigError
from shifu.settings import Settings
from shifu.store import engine_for

TRADES = ("焊工", "车工", "电工", "钳工", "制鞋工", "阀门装配工", "数控铣工", "电器装配工", "眼镜装配工", "服装缝纫工",
          "汽摩配检验工", "泵阀试压工")
SKILLS = ("安全防护", "工具选用", "参数设定", "工艺步骤", "质量检验", "故障判断", "材料识别", "设备保养", "图纸识读",
          "节拍控制", "返修处理", "现场整理")
ITEMS = 5
PASSWORD = "demo-pass-1"


@dataclass(frozen=True)
class Size:
    enterprises: int
    trainers: int
    workers: int
    attempts: int

    @classmethod
    def at(cls, scale: float) -> Size:
        return cls(max(2, round(190 * scale)), max(2, round(460 * scale)), max(10, round(130_000 * scale)),
                   max(50, round(2_000_000 * scale)))


def _course(trade: str, n: int, skills: list[str]) -> CourseDraft:
    """A small course of a trade: one lesson per skill it teaches, one quiz item per point."""
    lessons, quiz = [], []
    for k, skill in enumerate(skills):
        lessons.append(Lesson(title=f"{skill}要领", points=[Point(kind="step", text=f"{trade}{skill}的要领 {n}-{k}",
                                                              skills=[skill])]))
    for i in range(ITEMS):
        skill = skills[i % len(skills)]
        quiz.append(QuizItem(id=f"q{i + 1}", type="single_choice", stem=f"{skill}：第 {i + 1} 题", options=["甲", "乙"],
                             answer=["甲"], skills=[skill]))
    return CourseDraft(title=f"{trade}·{'、'.join(skills)}（{n}）", modules=[Module(title=trade, lessons=lessons)],
                       quiz=quiz)


def generate(settings: Settings, seed: int = 1, scale: float = 1.0, now: datetime | None = None,
             size: Size | None = None) -> dict:
    """Write the population (`size` overrides `scale`); returns how many of each thing were written."""
    rng, npr = random.Random(seed), np.random.default_rng(seed)
    size, now = size or Size.at(scale), now or datetime(2026, 11, 30)
    engine = engine_for(settings)
    raw = engine.raw_connection()
    try:
        cur = _Cursor(raw.cursor(), engine.dialect.name)
        if cur.execute("SELECT count(*) FROM users").fetchone()[0]:
            raise ConfigError("the synthetic population goes into an empty library: use a fresh SHIFU_HOME "
                              "(or an empty database in SHIFU_DATABASE_URL)",
                              zh="合成人群只写入空的资料库：请换一个新的 SHIFU_HOME（或 SHIFU_DATABASE_URL 里的空数据库）")
        counts = _write(cur, rng, npr, size, now)
        raw.commit()
    finally:
        raw.close()
    return counts


class _Cursor:
    """The DB-API cursor of SQLite or PostgreSQL behind one face: `?` placeholders, `MONTH_OF(col)`, `insert_id`."""

    def __init__(self, cur, dialect: str) -> None:
        self.cur, self.pg = cur, dialect == "postgresql"

    def _sql(self, sql: str) -> str:
        if not self.pg:
            return re.sub(r"MONTH_OF\(([^)]*)\)", r"substr(\1, 1, 7)", sql)
        return re.sub(r"MONTH_OF\(([^)]*)\)", r"to_char(\1, 'YYYY-MM')", sql.replace("?", "%s"))

    def execute(self, sql: str, params: tuple = ()):
        self.cur.execute(self._sql(sql), params)
        return self.cur

    def executemany(self, sql: str, rows: list) -> None:
        if rows:
            self.cur.executemany(self._sql(sql), rows)

    def insert_id(self, sql: str, params: tuple) -> int:
        """Run an INSERT and return the new row's id."""
        if self.pg:
            return int(self.execute(sql + " RETURNING id", params).fetchone()[0])
        return int(self.execute(sql, params).lastrowid)


def _write(cur, rng: random.Random, npr: np.random.Generator, size: Size, now: datetime) -> dict:
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    pw = hash_password(PASSWORD)
    enterprises = [f"温州企业{i:03d}" for i in range(size.enterprises)]
    ent_trade = {e: TRADES[i % len(TRADES)] for i, e in enumerate(enterprises)}
    # enterprises differ in size (a few big ones, many small): Zipf-like weights
    weights = np.array([1 / (i + 1) ** 0.7 for i in range(size.enterprises)])
    weights /= weights.sum()
    trainers = [(f"trainer{i:04d}", enterprises[i % size.enterprises]) for i in range(size.trainers)]
    worker_ent = npr.choice(size.enterprises, size=size.workers, p=weights)
    workers = [f"worker{i:06d}" for i in range(size.workers)]
    cur.executemany("INSERT INTO users (username, password_hash, role, enterprise, created_at) VALUES (?,?,?,?,?)",
                    [("admin", pw, "admin", None, stamp)] + [(u, pw, "trainer", e, stamp) for u, e in trainers]
                    + [(u, pw, "worker", enterprises[k], stamp) for u, k in zip(workers, worker_ent, strict=True)])
    # skills per trade, then courses: two per trainer, each teaching three skills of the trade
    skill_ids: dict[tuple[str, str], int] = {}
    for trade in TRADES:
        for name in SKILLS:
            skill_ids[(trade, name)] = cur.insert_id(
                "INSERT INTO skills (trade, name, p_init, p_learn, p_slip, p_guess, fitted_on, created_at) "
                "VALUES (?,?,0.2,0.15,0.1,0.2,0,?)", (trade, name, stamp))
    courses = []  # (course_id, trade, enterprise, [skill ids], difficulty)
    for t_i, (trainer, ent) in enumerate(trainers):
        trade = ent_trade[ent]
        for j in range(2):
            cid = f"pop-{t_i:04d}-{j}"
            skills = rng.sample(SKILLS, 3)
            draft = _course(trade, t_i * 2 + j, skills)
            cur.execute("INSERT INTO courses (id, title, language, trade, enterprise, status, published_version, "
                        "created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (cid, draft.title, "zh", trade, ent, "published", 1, trainer, stamp, stamp))
            cur.execute("INSERT INTO course_versions (course_id, number, status, data, engine, template_versions, "
                        "transcript_ids, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                        (cid, 1, "published", draft.model_dump_json(), "offline", "{}", "[]", trainer, stamp))
            ids = [skill_ids[(trade, s)] for s in skills]
            for i in range(ITEMS):
                cur.execute("INSERT INTO skill_tags (course_id, kind, ref, skill_id) VALUES (?,?,?,?)",
                            (cid, "item", f"q{i + 1}", ids[i % 3]))
            courses.append((cid, trade, ent, ids, rng.uniform(-0.5, 0.8)))
    by_trade: dict[str, list[int]] = {}
    for k, c in enumerate(courses):
        by_trade.setdefault(c[1], []).append(k)
    n_attempts = _attempts(cur, npr, size, now, workers, worker_ent, enterprises, ent_trade, courses, by_trade)
    n_ratings = _ratings(cur, npr, workers, worker_ent, enterprises, ent_trade, courses, by_trade, stamp)
    _extras(cur, rng, workers, worker_ent, enterprises, courses, now)
    rebuild_totals(cur)
    return {"enterprises": size.enterprises, "trainers": size.trainers, "workers": size.workers,
            "courses": len(courses), "attempts": n_attempts, "ratings": n_ratings}


def _attempts(cur, npr, size, now, workers, worker_ent, enterprises, ent_trade, courses, by_trade) -> int:
    """A year of quiz attempts; each worker's right answers rise with practice (their skills are learnt)."""
    per_worker = npr.poisson(size.attempts / size.workers, size=size.workers)
    ability = npr.normal(0, 1, size=size.workers)
    start = now - timedelta(days=365)
    total, rows = 0, []
    mastery: dict[tuple[str, int], list] = {}
    for w, (user, k) in enumerate(zip(workers, worker_ent, strict=True)):
        n = int(per_worker[w])
        if n == 0:
            continue
        pool = by_trade[ent_trade[enterprises[k]]]
        picks = npr.choice(pool, size=n)
        days = np.sort(npr.uniform(0, 365, size=n))
        # a few workers stop early (the at-risk list has someone in it)
        if npr.random() < 0.1:
            days = days * npr.uniform(0.3, 0.8)
        fails = 0
        for a in range(n):
            cid, _trade, _ent, sids, diff = courses[int(picks[a])]
            p = 1 / (1 + math.exp(-(ability[w] + 0.35 * a - diff)))
            right = npr.random(ITEMS) < p
            score = int(right.sum())
            passed = score >= 3
            fails = 0 if passed else fails + 1
            at = (start + timedelta(days=float(days[a]))).strftime("%Y-%m-%d %H:%M:%S")
            answers = json.dumps({f"q{i + 1}": ["甲" if right[i] else "乙"] for i in range(ITEMS)}, ensure_ascii=False)
            rows.append((user, cid, 1, answers, score, ITEMS, bool(passed), at))
            for i in range(ITEMS):
                key = (user, sids[i % 3])
                m = mastery.setdefault(key, [0, 0, at])
                m[0] += 1
                m[1] += int(right[i])
                m[2] = at
        total += n
        if len(rows) >= 50_000:
            _flush(cur, rows)
    _flush(cur, rows)
    cur.executemany("INSERT INTO mastery (username, skill_id, p_known, attempts, correct, updated_at) VALUES (?,?,?,?,?,?)",
                    [(u, sid, _p_known(n, c), n, c, at) for (u, sid), (n, c, at) in mastery.items()])
    return total


def _p_known(attempts: int, correct: int) -> float:
    """A posterior close to what BKT gives for this record (the generator does not replay every answer)."""
    share = (correct + 1) / (attempts + 2)
    return round(min(0.999, max(0.01, (share - 0.2) / 0.7)) if attempts >= 3 else 0.2 + 0.1 * correct, 4)


def _flush(cur, rows: list) -> None:
    cur.executemany("INSERT INTO quiz_attempts (username, course_id, version, answers, score, total, passed, created_at) "
                    "VALUES (?,?,?,?,?,?,?,?)", rows)
    rows.clear()


def _ratings(cur, npr, workers, worker_ent, enterprises, ent_trade, courses, by_trade, stamp) -> int:
    rows = []
    for w in npr.choice(len(workers), size=len(workers) // 2, replace=False):
        pool = by_trade[ent_trade[enterprises[worker_ent[w]]]]
        stars = int(min(5, max(1, round(npr.normal(4.0, 0.9)))))
        rows.append((workers[w], courses[int(npr.choice(pool))][0], stars, None, stamp))
    cur.executemany("INSERT INTO ratings (username, course_id, stars, comment, created_at) VALUES (?,?,?,?,?)", rows)
    return len(rows)


def _extras(cur, rng, workers, worker_ent, enterprises, courses, now) -> None:
    """Assignments (some overdue), knowledge gaps, and the national ladder for one trade made shorter."""
    rows = []
    for w in rng.sample(range(len(workers)), min(len(workers), 2000)):
        due = (now + timedelta(days=rng.randint(-30, 30))).strftime("%Y-%m-%d %H:%M:%S")
        rows.append((workers[w], enterprises[worker_ent[w]], "course", rng.choice(courses)[0], due, "admin", None,
                     now.strftime("%Y-%m-%d %H:%M:%S")))
    cur.executemany("INSERT INTO assignments (username, enterprise, kind, target, due, assigned_by, done_at, created_at) "
                    "VALUES (?,?,?,?,?,?,?,?)", rows)
    cur.executemany("INSERT INTO knowledge_gaps (question, asked_by, scope, best_score, status, created_at) "
                    "VALUES (?,?,?,?,?,?)",
                    [(f"{rng.choice(SKILLS)}遇到问题{i}怎么办？", rng.choice(workers), "published", 0.1,
                      rng.choice(("open", "open", "planned", "closed")), now.strftime("%Y-%m-%d %H:%M:%S"))
                     for i in range(300)])
    cur.executemany("INSERT INTO tiers (trade, rank, name, rule) VALUES (?,?,?,?)",
                    [("眼镜装配工", 1, "新手", "{}"), ("眼镜装配工", 2, "熟练", json.dumps({"count": 3, "required": []})),
                     ("眼镜装配工", 3, "骨干", json.dumps({"count": 8, "required": ["质量检验"]}, ensure_ascii=False))])


def rebuild_totals(cur) -> None:
    """Rebuild the cockpit's totals from the attempts (after a bulk load; submissions update them one by one)."""
    cur.execute("DELETE FROM worker_stats")
    cur.execute("DELETE FROM activity_months")
    cur.execute("DELETE FROM enterprise_months")
    cur.execute("DELETE FROM course_months")
    cur.execute(
        "INSERT INTO worker_stats (username, enterprise, trade, attempts, passed, fails_in_row, last_at) "
        "SELECT a.username, max(u.enterprise), max(c.trade), count(*), sum(CASE WHEN a.passed THEN 1 ELSE 0 END), 0, "
        "max(a.created_at) "
        "FROM quiz_attempts a JOIN users u ON u.username = a.username JOIN courses c ON c.id = a.course_id "
        "GROUP BY a.username")
    # the failing streak: failed attempts after the worker's last pass
    cur.execute(
        "UPDATE worker_stats SET fails_in_row = (SELECT count(*) FROM quiz_attempts a WHERE a.username = worker_stats.username "
        "AND NOT a.passed AND a.id > coalesce((SELECT max(b.id) FROM quiz_attempts b "
        "WHERE b.username = worker_stats.username AND b.passed), 0))")
    cur.execute(
        "INSERT INTO activity_months (month, enterprise, course_id, attempts, passed) "
        "SELECT MONTH_OF(a.created_at), coalesce(u.enterprise, ''), a.course_id, count(*), "
        "sum(CASE WHEN a.passed THEN 1 ELSE 0 END) "
        "FROM quiz_attempts a JOIN users u ON u.username = a.username "
        "GROUP BY MONTH_OF(a.created_at), coalesce(u.enterprise, ''), a.course_id")
    cur.execute("INSERT INTO course_months (month, course_id, attempts, passed) "
                "SELECT month, course_id, sum(attempts), sum(passed) FROM activity_months GROUP BY month, course_id")
    cur.execute(
        "INSERT INTO enterprise_months (month, enterprise, trade, attempts, passed) "
        "SELECT m.month, m.enterprise, coalesce(c.trade, ''), sum(m.attempts), sum(m.passed) "
        "FROM activity_months m LEFT JOIN courses c ON c.id = m.course_id GROUP BY m.month, m.enterprise, c.trade")
    _tiers(cur)


def _tiers(cur) -> None:
    """Each worker's tier from their proficient skills (count rule of the national ladder, 12 skills a trade)."""
    from extraction.growth.mastery import MIN_EVIDENCE, PROFICIENT
    from extraction.growth.tiers import default_ladder

    counts = [r.rule.get("count", 0) for r in default_ladder(list(SKILLS))]
    rows = cur.execute("SELECT username, count(*) FROM mastery WHERE p_known >= ? AND attempts >= ? GROUP BY username",
                       (PROFICIENT, MIN_EVIDENCE)).fetchall()
    have = dict(rows)
    tiers = []
    for (user,) in cur.execute("SELECT username FROM worker_stats").fetchall():
        n = have.get(user, 0)
        rank = max(k for k, c in enumerate(counts) if c <= n)
        tiers.append((NATIONAL[rank], user))
    cur.executemany("UPDATE worker_stats SET tier = ? WHERE username = ?", tiers)
