"""How much of an interview's know-how a draft picks out: offline drafts scored against references
written outside the project (`../shared/bench/knowhow`, its README defines the rule), beside the
'longest sentences' baseline at the same point count, in the same run.

The matching rule follows the bench's reference scorer: text normalised (whitespace removed, curly
quotes and dashes folded, lower-cased); a course quote and a reference quote match when their
character intervals overlap by at least half of the shorter one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from shifu.errors import ShifuError

Progress = Callable[[str], None]
Span = tuple[int, int]

_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-"})
FIGURES = ("recall_weighted", "recall_top", "point_precision", "f1", "quiz_on_knowhow", "points_per_10k_chars")


def norm(text: str) -> str:
    """The scorer's normal form: no whitespace, folded quotes and dashes, lower case."""
    return re.sub(r"\s+", "", (text or "").translate(_FOLD)).lower()


def decode(raw: bytes) -> str:
    """A transcript file's text as the scorer reads it (UTF-16 with a BOM, else UTF-8, else GB18030)."""
    encodings = ("utf-16",) if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030")
    for enc in encodings:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ShifuError("a transcript is neither UTF-8, UTF-16 nor GB18030; save it again as UTF-8")


def scoring_text(path: Path) -> str:
    """The normalised text quotes are located in: a JSON transcript's turns (speaker + text), else the file."""
    if path.suffix == ".json":
        turns = json.loads(path.read_text(encoding="utf-8"))["turns"]
        return norm("".join(f"{t.get('speaker', '')}{t['text']}" for t in turns))
    return norm(decode(path.read_bytes()))


def locate(quote: str, text: str) -> Span | None:
    """Where a quote lies in the normalised text (None when shorter than 4 characters or absent)."""
    q = norm(quote)
    if len(q) < 4:
        return None
    i = text.find(q)
    return (i, i + len(q)) if i >= 0 else None


def matches(a: Span, b: Span) -> bool:
    """Two spans match when they overlap by at least half of the shorter one."""
    shared = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return shared >= 0.5 * min(a[1] - a[0], b[1] - b[0])


def _spans(quotes: Iterable[str], text: str) -> list[Span]:
    return [s for s in (locate(q, text) for q in quotes) if s]


def score_course(points: Sequence[Sequence[str]], quiz: Sequence[Sequence[str]], reference: dict, text: str) -> dict:
    """Figures of a course given as the quotes of each point and of each quiz item."""
    items = [(it.get("importance", 1), _spans(it["quotes"], text)) for it in reference["items"]]
    point_spans = [_spans(p, text) for p in points]
    quiz_spans = [_spans(q, text) for q in quiz]
    all_ref = [s for _, spans in items for s in spans]

    def hit(spans: list[Span], ref: list[Span]) -> bool:
        return any(matches(a, b) for a in spans for b in ref)

    covered = total = top_covered = top_total = 0
    for weight, spans in items:
        got = any(hit(s, spans) for s in point_spans + quiz_spans)
        total += weight
        covered += weight * got
        if weight == 3:
            top_total += 1
            top_covered += got
    good = sum(hit(s, all_ref) for s in point_spans)
    recall = covered / total if total else 0.0
    precision = good / len(points) if points else 0.0
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    return {
        "points": len(points),
        "recall_weighted": round(recall, 4),
        "recall_top": round(top_covered / top_total, 4) if top_total else None,
        "point_precision": round(precision, 4),
        "f1": round(f1, 4),
        "quiz_items": len(quiz),
        "quiz_on_knowhow": round(sum(hit(s, all_ref) for s in quiz_spans) / len(quiz), 4) if quiz else 0.0,
        "points_per_10k_chars": round(10000 * len(points) / max(len(text), 1), 2),
    }


# --- the 'longest sentences' baseline (as the bench defines it) -----------------------------

_INTERVIEWER = re.compile(r"^(MSM|Q|问|记者|内训师|主持人|Interviewer)\s*[:：]", re.I)
_SPEAKER = re.compile(r"^([^\s:：]{1,12})\s*[:：]\s*")


def _file_turns(path: Path) -> list[tuple[str, str]]:
    if path.suffix == ".json":
        return [(t["speaker"], t["text"]) for t in json.loads(path.read_text(encoding="utf-8"))["turns"]]
    out: list[tuple[str, str]] = []
    for line in decode(path.read_bytes()).splitlines():
        line = line.strip()
        if not line or re.match(r"^\d+$", line) or "-->" in line:
            continue
        m = _SPEAKER.match(line)
        if m:
            out.append((m.group(1), line[m.end():]))
        elif out:
            out[-1] = (out[-1][0], out[-1][1] + " " + line)
    return [t for t in out if not _INTERVIEWER.match(t[0] + ":")]


def longest_sentences(path: Path, n: int) -> list[str]:
    """The n longest sentences (12 characters or more) of the non-interviewer turns."""
    sentences = [s.strip() for _, text in _file_turns(path)
                 for s in re.split(r"(?<=[。！？；.!?])\s*", text) if len(s.strip()) >= 12]
    return sorted(sentences, key=len, reverse=True)[:n]


# --- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One interview with its reference: which collection, its name, the transcript file, the reference."""

    collection: str
    name: str
    transcript: Path
    reference: dict


def find_cases(root: Path) -> list[Case]:
    """Every reference under a knowhow folder with the transcript it refers to."""
    if not root.is_dir():
        raise ShifuError(f"{root} is not a folder; give the knowhow benchmark folder (../shared/bench/knowhow)")
    cases = []
    for ref_path in sorted(root.glob("*/*.json")):
        reference = json.loads(ref_path.read_text(encoding="utf-8"))
        if "items" not in reference:
            continue  # a transcript in JSON (VCSum), not a reference
        name = reference["transcript"]
        candidates = [ref_path.parent / name, root.parent / ref_path.parent.name / name]
        transcript = next((p for p in candidates if p.is_file()), None)
        if transcript is None:
            raise ShifuError(f"{ref_path} refers to {name}, which is in neither {candidates[0].parent} "
                             f"nor {candidates[1].parent}")
        cases.append(Case(ref_path.parent.name, Path(name).stem, transcript, reference))
    return cases


def draft_case(case: Case, settings, embed=None, selection: dict | None = None, engine: str = "offline"):
    """The draft of one case's transcript, parsed and chunked in memory: offline, or by the configured LLM."""
    from extraction.offline_engine import build_offline_draft
    from rag.chunk import chunk_transcript
    from rag.parse import parse_transcript

    t = parse_transcript(case.transcript.read_bytes(), case.transcript.name)
    t.id = "t-" + t.sha256[:12]
    chunks = chunk_transcript(t, chunk_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap)
    if engine == "llm":
        from extraction.llm_engine import build_llm_draft

        return build_llm_draft(settings, [t], {t.id: chunks}, embed=embed)[0]
    return build_offline_draft([t], {t.id: chunks}, embed=embed, selection=selection)


def course_quotes(draft) -> tuple[list[list[str]], list[list[str]]]:
    """The quotes of each lesson point and of each quiz item of a draft."""
    points = [[c.quote for c in p.citations] for m in draft.modules for lesson in m.lessons for p in lesson.points]
    quiz = [[c.quote for c in q.citations] for q in draft.quiz]
    return points, quiz


def _bigrams(text: str) -> set[str]:
    s = norm(re.sub(r"[^\w]", "", text))
    return {s[i:i + 2] for i in range(len(s) - 1)}


def bigram_f1(a: str, b: str) -> float:
    """Character-bigram F1 of two short texts (a lesson title against a human headline)."""
    x, y = _bigrams(a), _bigrams(b)
    shared = len(x & y)
    return 2 * shared / (len(x) + len(y)) if shared else 0.0


def title_f1(result, headlines_of_turn: Sequence[str]) -> float | None:
    """Mean bigram F1 of each lesson title with the headline of the gold segment its points sit in most."""
    t = result.plans[0].transcript
    if len(t.turns) != len(headlines_of_turn):
        return None
    starts = [turn.char_start for turn in t.turns]
    scores = []
    for m in result.draft.modules:
        for lesson in m.lessons:
            turns = [max(i for i, s0 in enumerate(starts) if s0 <= c.start) for p in lesson.points for c in p.citations]
            if turns:
                gold = max(set(turns), key=turns.count)
                scores.append(bigram_f1(lesson.title, headlines_of_turn[gold]))
    return round(sum(scores) / len(scores), 4) if scores else None


def _headlines(case: Case) -> list[str] | None:
    """The human headline of each utterance's gold segment, for a VCSum meeting (None for others)."""
    meetings = case.transcript.parent.parent.parent / "vcsum" / "meetings.jsonl"
    if case.collection != "vcsum" or not meetings.is_file():
        return None
    from extraction.evaluate import load_meetings

    wanted = case.name.removeprefix("vcsum_")
    for m in load_meetings(meetings):
        if m.id == wanted:
            edges = [0, *m.boundaries, len(m.utterances)]
            return [m.headlines[k] for k in range(len(edges) - 1) for _ in range(edges[k], edges[k + 1])]
    return None


def evaluate_case(case: Case, settings, embed=None, selection: dict | None = None, engine: str = "offline") -> dict:
    """Figures of shifu's draft and of the baseline at the same point count, for one case."""
    text = scoring_text(case.transcript)
    result = draft_case(case, settings, embed, selection, engine)
    points, quiz = course_quotes(result.draft)
    headlines = _headlines(case)
    ours = score_course(points, quiz, case.reference, text)
    base = score_course([[s] for s in longest_sentences(case.transcript, len(points))], [], case.reference, text)
    titles = {"title_f1": title_f1(result, headlines)} if headlines else {}
    return {"collection": case.collection, "name": case.name, **ours, **titles,
            "baseline_f1": base["f1"], "baseline_recall_weighted": base["recall_weighted"],
            "baseline_point_precision": base["point_precision"]}


def _mean(rows: Sequence[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r.get(key) is not None]
    return round(sum(values) / len(values), 4) if values else None


def summarise(rows: Sequence[dict]) -> dict:
    """Means per collection (and the share of cases whose F1 is at least 1.2x their baseline)."""
    out = {}
    for collection in dict.fromkeys(r["collection"] for r in rows):
        group = [r for r in rows if r["collection"] == collection]
        keys = (*FIGURES, "baseline_f1", "baseline_point_precision", "baseline_recall_weighted", "title_f1")
        means = {k: _mean(group, k) for k in keys}
        means["f1_over_baseline"] = (round(means["f1"] / means["baseline_f1"], 3)  # type: ignore[operator]
                                     if means["baseline_f1"] else None)
        out[collection] = {"transcripts": len(group), **{k: v for k, v in means.items() if v is not None
                                                         or k != "title_f1"}}
    return out


ENGINES = ("offline", "llm")


def evaluate_knowhow(root: Path, settings, *, collections: Sequence[str] = (), embed=None,
                     progress: Progress | None = None, engines: Sequence[str] = ("offline",)) -> dict:
    """Draft every interview under a knowhow folder and score it against its reference and the baseline.

    With several engines each interview is drafted by each in turn (the same run); the figures of an
    engine other than offline are under `by_engine`."""
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        raise ShifuError(f"--engine {unknown[0]} is not an engine; use one of: {', '.join(ENGINES)}",
                         zh=f"没有“{unknown[0]}”这种起草引擎；可用：{'、'.join(ENGINES)}")
    if "llm" in engines and not (settings.llm_base_url and settings.llm_model):
        from shifu.errors import ConfigError

        raise ConfigError("the llm engine needs a chat server: set SHIFU_LLM_BASE_URL and SHIFU_LLM_MODEL "
                          "(docs/LLM.md)", zh="llm 引擎需要一个对话模型服务：请设置 SHIFU_LLM_BASE_URL 和 "
                                              "SHIFU_LLM_MODEL（见 docs/LLM.md）")
    rows: dict[str, list[dict]] = {e: [] for e in engines}
    for case in find_cases(root):
        if collections and case.collection not in collections:
            continue
        for engine in engines:
            row = evaluate_case(case, settings, embed, engine=engine)
            rows[engine].append(row)
            if progress:
                progress(f"{case.collection}/{case.name}{'' if engine == 'offline' else f' ({engine})'}: "
                         f"{row['points']} points, F1 {row['f1']:.3f} "
                         f"(baseline {row['baseline_f1']:.3f}), precision {row['point_precision']:.3f}, "
                         f"recall {row['recall_weighted']:.3f}, top {row['recall_top']}, "
                         f"quiz {row['quiz_on_knowhow']:.3f}")
    first = engines[0]
    out: dict = {"engine": first, "collections": summarise(rows[first]), "transcripts": rows[first]}
    if len(engines) > 1:
        out["by_engine"] = {e: {"collections": summarise(rows[e]), "transcripts": rows[e]} for e in engines}
    return out
