"""Writing an experiment's results: per-run JSON, CSV and Markdown tables, and plots.

    DIR/metrics/CONDITION-seedN.json   everything measured about one cell
    DIR/runs.csv                       one row per cell, its headline figures
    DIR/results.csv                    per condition: mean, std and n of each figure
    DIR/results.md                     the same as a table (`markdown`), the paper's beside it
    DIR/plots/*.png                    diffusion over time, density, probe accuracy (and TrueSkill)

Means and standard deviations are over seeds (sample std; none for one seed).
The paper's numbers are those of its 25-agent, two-game-day Smallville run.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sim.experiments.conditions import sort_key
from sim.experiments.metrics import mean_std

if TYPE_CHECKING:
    from sim.experiments.evaluation import CellResult

PAPER_TRUESKILL: dict[str, float] = {
    "full": 29.89, "no-reflection": 26.88, "no-reflection-no-planning": 25.64,
    "human crowdworker": 22.95, "no-observation-no-reflection-no-planning": 21.21}
"""The paper's TrueSkill mu per condition (100 human raters)."""

PAPER_FULL: dict[str, str] = {
    "mayor_aware_start": "0.04 (1 of 25)", "mayor_aware_end": "0.32 (8 of 25)",
    "party_aware_start": "0.04 (1 of 25)", "party_aware_end": "0.48-0.52 (12-13 of 25)",
    "density_start": "0.167", "density_end": "0.74",
    "party_invited": "12", "party_invited_came": "5 (of 12 invited)",
    "hallucination_share": "0.013 (6 of 453 answers)",
}
"""The paper's emergent-behaviour numbers (full architecture, two game days), by our column."""


def condition_order(results: Sequence[CellResult]) -> list[str]:
    return sorted({r.cell.condition for r in results}, key=sort_key)


def aggregate(results: Sequence[CellResult]) -> dict[str, dict[str, tuple[float | None,
                                                                          float | None, int]]]:
    """condition -> figure -> (mean, std, n) over seeds."""
    table: dict[str, dict[str, tuple[float | None, float | None, int]]] = {}
    for condition in condition_order(results):
        rows = [r.metrics.headline() for r in results if r.cell.condition == condition]
        columns = list(dict.fromkeys(key for row in rows for key in row))
        table[condition] = {key: mean_std(row.get(key) for row in rows) for key in columns}
    return table


def figure_names(results: Sequence[CellResult]) -> list[str]:
    return list(dict.fromkeys(key for r in results for key in r.metrics.headline()))


def write_metrics(out: Path, results: Sequence[CellResult]) -> list[Path]:
    folder = out / "metrics"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for result in results:
        path = folder / f"{result.cell.label}.json"
        path.write_text(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def write_csv(out: Path, results: Sequence[CellResult]) -> tuple[Path, Path]:
    names = figure_names(results)
    runs = out / "runs.csv"
    with runs.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["condition", "seed", "ablated_at", *names])
        for r in sorted(results, key=lambda r: (sort_key(r.cell.condition), r.cell.seed)):
            row = r.metrics.headline()
            writer.writerow([r.cell.condition, r.cell.seed, r.metrics.ablated_at,
                             *(_cell(row.get(name)) for name in names)])
    combined = out / "results.csv"
    table = aggregate(results)
    with combined.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["condition", *(f"{n}_{s}" for n in names for s in ("mean", "std", "n"))])
        for condition, figures in table.items():
            values = []
            for name in names:
                mean, std, count = figures.get(name, (None, None, 0))
                values += [_cell(mean), _cell(std), count]
            writer.writerow([condition, *values])
    return runs, combined


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def _pm(stats: tuple[float | None, float | None, int]) -> str:
    mean, std, count = stats
    if mean is None:
        return "–"
    text = f"{mean:.3g}"
    if std is not None:
        text += f" ± {std:.2g}"
    return text + (f" (n={count})" if count != 1 else "")


def markdown(results: Sequence[CellResult], title: str,
             notes: Sequence[str] = ()) -> str:
    """Figures as rows, conditions as columns (mean ± std over seeds), the paper's beside."""
    table = aggregate(results)
    conditions = list(table)
    lines = [f"# {title}", "", *notes, ""] if notes else [f"# {title}", ""]
    lines.append("| figure | " + " | ".join(conditions) + " | paper |")
    lines.append("|---|" + "---|" * len(conditions) + "---|")
    for name in figure_names(results):
        cells = [_pm(table[c].get(name, (None, None, 0))) for c in conditions]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {_paper(name, conditions)} |")
    lines += ["", "Mean ± sample std over seeds. *paper*: Park et al. 2023, full architecture, "
              "25 agents over two game days (TrueSkill: per condition, 100 human raters).",
              "", "Paper's TrueSkill mu: " + ", ".join(
                  f"{name} {mu}" for name, mu in PAPER_TRUESKILL.items()) + ".", ""]
    return "\n".join(lines)


def _paper(name: str, conditions: Sequence[str]) -> str:
    if name == "trueskill_mu":
        return "; ".join(f"{c} {PAPER_TRUESKILL[c]}" for c in conditions
                         if c in PAPER_TRUESKILL) or "–"
    return PAPER_FULL.get(name, "–")


def write_json(path: Path, data: Mapping[str, object]) -> Path:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    return path
