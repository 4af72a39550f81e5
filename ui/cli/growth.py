"""Growth commands: skills, tiers, paths, assignments, `eval mastery`, `eval cockpit`, `demo population`.

- shifu skills tag | list | rename | merge | fit
- shifu tiers set | show
- shifu paths add, shifu assign
- shifu eval mastery, shifu eval cockpit
- shifu demo population
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ui.cli.context import command_context

console = Console()
skills_app = typer.Typer(help="Skills of each trade: tag courses, curate the list, fit mastery parameters.",
                         no_args_is_help=True)
tiers_app = typer.Typer(help="Tier ladders of each trade.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)


@skills_app.command("tag")
def skills_tag(replace: Annotated[bool, typer.Option("--replace", help="propose again, replacing the tags")] = False) -> None:
    """Tag every published course's points and quiz items with skills of its trade (proposed from key terms)."""
    from extraction.growth.service import tag_published

    done = tag_published(command_context(), replace=replace)
    console.print(f"tagged {len(done)} courses: " + "、".join(f"{c}（{n}）" for c, n in done.items()))


@skills_app.command("list")
def skills_list(trade: Annotated[str, typer.Argument(help="trade, e.g. 焊工")]) -> None:
    """A trade's skills with their BKT parameters."""
    from extraction.growth.service import list_skills

    table = Table("skill", "p_init", "p_learn", "p_slip", "p_guess", "fitted on")
    for row in list_skills(command_context(), trade):
        table.add_row(row["name"], *(f"{row[k]:.2f}" for k in ("p_init", "p_learn", "p_slip", "p_guess")),
                      str(row["fitted_on"]))
    console.print(table)


@skills_app.command("rename")
def skills_rename(trade: str, old: str, new: str) -> None:
    """Rename a skill of a trade."""
    from extraction.growth.service import rename_skill

    rename_skill(command_context(), trade, old, new)
    console.print(f"{trade}: {old} → {new}")


@skills_app.command("merge")
def skills_merge(trade: str, source: str, into: str) -> None:
    """Merge skill SOURCE into INTO (its tags move; mastery is kept where INTO has none)."""
    from extraction.growth.service import merge_skills

    merge_skills(command_context(), trade, source, into)
    console.print(f"{trade}: {source} merged into {into}")


@skills_app.command("fit")
def skills_fit() -> None:
    """Fit each skill's BKT parameters from the stored answers (defaults kept under 200 answers)."""
    from extraction.growth.service import fit_skills

    for name, info in fit_skills(command_context()).items():
        console.print(f"{name}: {info}")


@tiers_app.command("set")
def tiers_set(trade: str, tiers: Annotated[list[str], typer.Argument(
        help="tiers lowest first: NAME, NAME:skills=A,B (all proficient) or NAME:count=N;required=A,B")]) -> None:
    """Give a trade its own ladder, e.g. 新手 熟练:skills=坡口 骨干:count=4;required=坡口."""
    from extraction.growth.service import set_ladder

    set_ladder(command_context(), trade, [_rung(t) for t in tiers])
    console.print(f"{trade}: " + " · ".join(t.split(":")[0] for t in tiers))


def _rung(text: str) -> tuple[str, dict]:
    name, _, rule_text = text.partition(":")
    rule: dict = {}
    for part in filter(None, rule_text.split(";")):
        key, _, value = part.partition("=")
        rule[key.strip()] = int(value) if key.strip() == "count" else [v for v in value.split(",") if v]
    if "count" in rule:
        rule.setdefault("required", [])
    return name.strip(), rule


def paths_add(trade: str, tier: str, title: str, courses: Annotated[list[str], typer.Argument(help="course ids in order")]) -> None:
    """Add an ordered learning path of courses for a trade and tier."""
    from extraction.growth.progress import add_path

    console.print(f"path {add_path(command_context(), trade, tier, title, courses)}: {title}")


def assign(kind: str, target: str, workers: list[str],
           due_in_days: Annotated[int | None, typer.Option("--due-in-days")] = 14,
           by: Annotated[str, typer.Option("--by", help="the trainer or admin assigning")] = "admin") -> None:
    """Assign a course or path (KIND course|path) to workers with a due date."""
    from extraction.growth.progress import assign as do_assign

    console.print(f"assigned to {do_assign(command_context(), by, kind, target, workers, due_in_days)} workers")


def eval_mastery(seed: Annotated[int, typer.Option("--seed")] = 7,
                 learners: Annotated[int, typer.Option("--learners")] = 300,
                 answers: Annotated[int, typer.Option("--answers")] = 12,
                 skills: Annotated[int, typer.Option("--skills")] = 4) -> None:
    """BKT on simulated learners with known parameters: next-answer AUC and calibration vs share-right-so-far."""
    from extraction.growth.evaluate import run

    result = run(seed=seed, skills=skills, learners=learners, answers=answers)
    table = Table("predictor", "AUC", "ECE (calibration)", "Brier")
    for name in ("bkt_fitted", "bkt_true_params", "share_so_far"):
        r = result[name]
        table.add_row(name, str(r["auc"]), str(r["ece"]), str(r["brier"]))
    console.print(table)
    print(json.dumps(result, ensure_ascii=False))


def eval_cockpit(repeats: Annotated[int, typer.Option("--repeats")] = 20,
                 naive_repeats: Annotated[int, typer.Option("--naive-repeats")] = 3) -> None:
    """p50/p95 of each profile and cockpit view beside its naive query, on the configured database."""
    from extraction.growth.view_timing import run

    result = run(command_context(), repeats=repeats, naive_repeats=naive_repeats)
    table = Table("view", "p95 ms", "naive p95 ms")
    for name, v in result["views"].items():
        table.add_row(name, str(v["fast"]["p95_ms"]), str(v.get("naive", {}).get("p95_ms", "—")))
    console.print(table)
    print(json.dumps(result, ensure_ascii=False))


@demo_app.command("population")
def demo_population(seed: Annotated[int, typer.Option("--seed")] = 1,
                    scale: Annotated[float, typer.Option("--scale", help="1.0 = 190 enterprises, 460 trainers, "
                                                         "130,000 workers, ~2M attempts")] = 1.0) -> None:
    """Generate the programme's population from a seed into the configured database."""
    import time

    from extraction.growth.population import PASSWORD, generate
    from shifu.settings import load_settings

    t0 = time.perf_counter()
    counts = generate(load_settings(), seed=seed, scale=scale)
    console.print(f"{counts} in {time.perf_counter() - t0:.0f} s; every account's password is {PASSWORD}")
    print(json.dumps(counts))


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add this area's commands to the `shifu` app."""
    app.add_typer(skills_app, name="skills")
    app.add_typer(tiers_app, name="tiers")
    app.add_typer(demo_app, name="demo")
    app.command("paths-add")(paths_add)
    app.command("assign")(assign)
    eval_app.command("mastery")(eval_mastery)
    eval_app.command("cockpit")(eval_cockpit)
