"""Export: GIF, MP4 and PNG folders of a run's ticks, headless, with clear errors."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"

import builtins
from datetime import datetime
from pathlib import Path

import pytest
from fixtures.replay_run import TICKS
from PIL import Image
from sqlalchemy import Engine, create_engine

from replays.export import VIDEO_HINT, ExportError, export_run, frame_size
from replays.reader import ReplayError
from replays.tables import ReplaysBase
from sim.clock import Clock
from world.town import Town

CLOCK = Clock(datetime(2023, 2, 13, 7, 0))


def test_a_gif_has_one_frame_per_tick(engine: Engine, town: Town, tmp_path: Path) -> None:
    out = tmp_path / "clip.gif"
    written = export_run(engine, town, out, 10, 17, progress=False, scale=CLOCK)
    assert written == 8
    with Image.open(out) as gif:
        assert gif.n_frames == 8
        assert gif.size == frame_size(town)[0]
        assert gif.info["duration"] == 100


def test_the_whole_run_by_default_and_every_nth_tick(engine: Engine, town: Town,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "all.gif"
    assert export_run(engine, town, out, None, None, progress=False, every=3) == 10
    with Image.open(out) as gif:
        assert gif.n_frames == len(range(0, TICKS, 3))


def test_a_folder_of_pngs_named_by_tick_and_game_time(engine: Engine, town: Town,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "frames"
    assert export_run(engine, town, out, 6, 12, progress=False, scale=CLOCK, every=3) == 3
    names = sorted(path.name for path in out.iterdir())
    assert names == ["tick_000006_2023-02-13_07-01-00.png", "tick_000009_2023-02-13_07-01-30.png",
                     "tick_000012_2023-02-13_07-02-00.png"]  # 10-second ticks from 07:00
    with Image.open(out / names[0]) as image:
        assert image.size == frame_size(town)[0]
    bare = tmp_path / "bare"
    assert export_run(engine, town, bare, 0, 1, progress=False) == 2
    assert sorted(path.name for path in bare.iterdir()) == ["tick_000000.png", "tick_000001.png"]


def test_an_mp4(engine: Engine, town: Town, tmp_path: Path) -> None:
    pytest.importorskip("imageio_ffmpeg")
    out = tmp_path / "clip.mp4"
    assert export_run(engine, town, out, 0, 9, progress=False, scale=CLOCK) == 10
    assert out.stat().st_size > 1000
    assert out.read_bytes()[4:8] == b"ftyp"


def test_mp4_without_the_video_extra_says_how_to_get_it(
    engine: Engine, town: Town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_ffmpeg(name: str, *args: object, **kwargs: object) -> object:
        if name == "imageio_ffmpeg":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_ffmpeg)
    with pytest.raises(ExportError, match="generative-town\\[video\\]") as caught:
        export_run(engine, town, tmp_path / "clip.mp4", 0, 3, progress=False)
    assert str(caught.value) == VIDEO_HINT
    assert not (tmp_path / "clip.mp4").exists()


@pytest.mark.parametrize(("start", "end", "message"), [
    (5, 2, "cannot export ticks 5 to 2"),
    (0, TICKS + 5, f"the run has ticks 0 to {TICKS - 1}"),
])
def test_a_range_outside_the_run(engine: Engine, town: Town, tmp_path: Path, start: int,
                                 end: int, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        export_run(engine, town, tmp_path / "x.gif", start, end, progress=False)


def test_an_unknown_format_and_an_empty_run(town: Town, engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"unknown format '\.avi'"):
        export_run(engine, town, tmp_path / "clip.avi", None, None, progress=False)
    empty = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    ReplaysBase.metadata.create_all(empty)
    with pytest.raises(ExportError, match="no ticks to export"):
        export_run(empty, town, tmp_path / "clip.gif", None, None, progress=False)


def test_a_database_without_an_event_log(town: Town, tmp_path: Path) -> None:
    other = create_engine(f"sqlite:///{tmp_path / 'notes.sqlite'}")
    with other.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    with pytest.raises(ReplayError, match=r"notes\.sqlite: not a run database"):
        export_run(other, town, tmp_path / "clip.gif", None, None, progress=False)
