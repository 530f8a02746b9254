"""The experiment's plots, drawn with matplotlib's object API (no pyplot, no global state).

- diffusion.png: per probed intention, the share of residents who answer
  right over game time, one line per condition (mean over seeds, band = std),
  with the share the log says could know dashed;
- density.png: relationship-network density at the start and the end;
- probes.png: probe accuracy and hallucination share by condition;
- trueskill.png (with a judge): mu by condition beside the paper's.

matplotlib is in the `experiments` extra; `plots_available` says whether it is here.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.experiments.metrics import mean_std
from sim.experiments.report import PAPER_TRUESKILL, condition_order

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.experiments.evaluation import CellResult

DPI = 110


def plots_available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def write_plots(out: Path, results: Sequence[CellResult]) -> list[Path]:
    """Every plot that has data, under DIR/plots; the paths written."""
    folder = out / "plots"
    folder.mkdir(parents=True, exist_ok=True)
    paths = [_diffusion(folder, results), _density(folder, results), _probes(folder, results)]
    if any(r.metrics.trueskill is not None for r in results):
        paths.append(_trueskill(folder, results))
    return paths


def _figure(width: float = 7.0, height: float = 4.0) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def _series(results: Sequence[CellResult], condition: str, intention: str,
            key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hours since the start, mean and std per checkpoint index over the condition's seeds."""
    rows = [r for r in results if r.cell.condition == condition]
    count = min(len(r.metrics.checkpoints) for r in rows)
    hours = np.array(rows[0].metrics.checkpoint_hours[:count])
    stats = [mean_std(r.metrics.diffusion[intention][key][i] for r in rows
                      if intention in r.metrics.diffusion) for i in range(count)]
    mean = np.array([np.nan if s[0] is None else s[0] for s in stats])
    std = np.array([0.0 if s[1] is None else s[1] for s in stats])
    return hours, mean, std


def _diffusion(folder: Path, results: Sequence[CellResult]) -> Path:
    intentions = sorted({i for r in results for i in r.metrics.diffusion})
    fig = _figure(5.0 * max(1, len(intentions)), 4.0)
    axes = fig.subplots(1, max(1, len(intentions)), squeeze=False)[0]
    for ax, intention in zip(axes, intentions, strict=False):
        for n, condition in enumerate(condition_order(results)):
            colour = f"C{n}"
            hours, mean, std = _series(results, condition, intention, "aware")
            ax.plot(hours, mean, marker="o", color=colour, label=condition)
            ax.fill_between(hours, np.clip(mean - std, 0, 1), np.clip(mean + std, 0, 1),
                            color=colour, alpha=0.15)
            hours, known, _ = _series(results, condition, intention, "could_know")
            ax.plot(hours, known, linestyle="--", color=colour, alpha=0.6)
        ax.set_title(f"who knows: {intention}")
        ax.set_xlabel("game hours since start")
        ax.set_ylabel("share of residents (dashed: could know)")
        ax.set_ylim(-0.02, 1.2)
        ax.legend(fontsize="small")
    if not intentions:
        axes[0].text(0.5, 0.5, "no probed intentions", ha="center", va="center")
    path = folder / "diffusion.png"
    fig.savefig(path)
    return path


def _bars(ax: Axes, labels: Sequence[str], groups: dict[str, list[tuple[float | None,
                                                                        float | None, int]]],
          ylabel: str) -> None:
    """Grouped bars: one group per label, one bar per series, error bars = std."""
    width = 0.8 / max(1, len(groups))
    x = np.arange(len(labels))
    for n, (series, stats) in enumerate(groups.items()):
        means = [0.0 if s[0] is None else s[0] for s in stats]
        errors = [0.0 if s[1] is None else s[1] for s in stats]
        ax.bar(x + (n - (len(groups) - 1) / 2) * width, means, width,
               yerr=errors if any(errors) else None, capsize=3, label=series, color=f"C{n}")
    ax.set_xticks(x, labels, rotation=20, ha="right", fontsize="small")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")


def _by_condition(results: Sequence[CellResult], figure: str
                  ) -> list[tuple[float | None, float | None, int]]:
    return [mean_std(r.metrics.headline().get(figure) for r in results
                     if r.cell.condition == c) for c in condition_order(results)]


def _density(folder: Path, results: Sequence[CellResult]) -> Path:
    fig = _figure()
    ax = fig.subplots()
    _bars(ax, condition_order(results), {"start": _by_condition(results, "density_start"),
                                         "end": _by_condition(results, "density_end")},
          "relationship-network density")
    ax.set_ylim(0, 1.2)
    ax.set_title("pairs who talked or remember each other, of n(n-1)/2")
    path = folder / "density.png"
    fig.savefig(path)
    return path


def _probes(folder: Path, results: Sequence[CellResult]) -> Path:
    fig = _figure()
    ax = fig.subplots()
    _bars(ax, condition_order(results), {
        "probe accuracy": _by_condition(results, "probe_accuracy"),
        "hallucination share": _by_condition(results, "hallucination_share")}, "share")
    ax.set_ylim(0, 1.2)
    ax.set_title("knowledge probes at the end of the run")
    path = folder / "probes.png"
    fig.savefig(path)
    return path


def _trueskill(folder: Path, results: Sequence[CellResult]) -> Path:
    conditions = condition_order(results)
    fig = _figure()
    ax = fig.subplots()
    paper: list[tuple[float | None, float | None, int]] = [
        (PAPER_TRUESKILL.get(c), None, 1) for c in conditions]
    _bars(ax, conditions, {"ours (judge model)": _by_condition(results, "trueskill_mu"),
                           "paper (human raters)": paper}, "TrueSkill mu")
    ax.set_title("believability of interview answers")
    path = folder / "trueskill.png"
    fig.savefig(path)
    return path
