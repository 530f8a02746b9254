"""Render a stretch of a run to a GIF, an MP4 or a folder of PNG frames, without a window.

Entry point (called by `python -m sim export RUN --out ... [--from T] [--to T]`):

    export_run(engine, town, out: Path, from_tick: int | None, to_tick: int | None,
               progress: bool = True, *, scale: TimeScale | None = None,
               every: int = 1, fps: int = 10) -> int     # the number of frames written

`out` ending in `.gif` writes a GIF (Pillow), `.mp4` an H.264 video (the
optional `video` extra: imageio-ffmpeg), anything else without a suffix (or
an existing folder) a folder of PNG frames named by tick and game time,
`tick_000360_2023-02-13_08-00-00.png` (`tick_000360.png` without a start time),
so that a frame can be matched to the run. One frame per
`every` ticks from `from_tick` (default: the first logged tick) to `to_tick`
(default: the last), both included. The caller turns game times into ticks.
Raises `ExportError` (a ValueError with one line to show) for a bad request
and `ReplayError` for a database without an event log.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

import pygame
from PIL import Image
from sqlalchemy import Engine
from tqdm import tqdm

from replays.reader import EventLogReader
from replays.timescale import TickScale, TimeScale, has_dates
from replays.viewer.camera import Camera
from replays.viewer.details import DetailsQuery
from replays.viewer.scene import Scene, render_frame
from replays.viewer.state import Playback, ViewState
from world.town import Town

MAX_SIZE: Final = (1280, 720)
MAX_ZOOM: Final = 2.0
MIN_SIZE: Final = (640, 360)
VIDEO_HINT: Final = ("MP4 export needs the optional 'video' extra: "
                     "pip install 'generative-town[video]'")


class ExportError(ValueError):
    """An export that cannot be done as asked; the message is one line for the user."""


def frame_size(town: Town) -> tuple[tuple[int, int], float]:
    """The output size (even numbers, for video encoders) and zoom that show the whole town."""
    width, height = town.width * town.tile_width, town.height * town.tile_height
    zoom = min(MAX_SIZE[0] / width, MAX_SIZE[1] / height, MAX_ZOOM)
    out_w = max(round(width * zoom), MIN_SIZE[0])
    out_h = max(round(height * zoom), MIN_SIZE[1])
    return (out_w + out_w % 2, out_h + out_h % 2), zoom


def export_run(
    engine: Engine,
    town: Town,
    out: Path,
    from_tick: int | None,
    to_tick: int | None,
    progress: bool = True,
    *,
    scale: TimeScale | None = None,
    every: int = 1,
    fps: int = 10,
) -> int:
    """Write the frames of ticks `from_tick`..`to_tick` to `out`; returns how many were written."""
    if every < 1 or fps < 1:
        raise ExportError(f"every and fps must be at least 1 (got every={every}, fps={fps})")
    writer = _writer_for(Path(out), fps)
    reader = EventLogReader(engine)
    first, last = reader.first_tick(), reader.last_tick()
    if first is None or last is None:
        raise ExportError(f"{reader.source}: the run has no ticks to export yet")
    start = first if from_tick is None else from_tick
    end = last if to_tick is None else to_tick
    if not first <= start <= end <= last:
        raise ExportError(f"cannot export ticks {start} to {end}: the run has ticks {first} to "
                          f"{last}")
    ticks = range(start, end + 1, every)
    if not pygame.display.get_init():
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # headless: nothing here needs a window
    if not pygame.font.get_init():
        pygame.font.init()
    size, zoom = frame_size(town)
    details = DetailsQuery(engine, reader)
    scene = Scene.build(town, reader.agent_names(), scale=scale or TickScale(),
                        colours=details.persona_colours())
    camera = Camera(pygame.Rect((0, 0), size), (town.width * town.tile_width,
                                                 town.height * town.tile_height), zoom=zoom)
    camera.clamp()
    view = ViewState(camera, Playback(first, last))
    surface = pygame.Surface(size)

    def frames() -> Iterator[Frame]:
        for tick in tqdm(ticks, disable=not progress, unit="frame", desc=f"export {out}"):
            view.playback.position = float(tick)
            render_frame(surface, view, reader.frame_at(tick), scene=scene)
            yield tick, surface

    return writer(frames(), scale or TickScale())


Frame = tuple[int, pygame.Surface]
"""A rendered tick: its number and the picture (reused from frame to frame)."""
Writer = Callable[[Iterator[Frame], TimeScale], int]


def frame_name(tick: int, scale: TimeScale) -> str:
    """The PNG file of `tick`: `tick_000360_2023-02-13_08-00-00.png`, or `tick_000360.png`
    when the scale has no start time; names sort in tick order."""
    when = f"_{scale.time_at(tick):%Y-%m-%d_%H-%M-%S}" if has_dates(scale) else ""
    return f"tick_{tick:06d}{when}.png"


def _writer_for(out: Path, fps: int) -> Writer:
    """Pick the output format from `out` (checked before any rendering starts)."""
    suffix = out.suffix.lower()
    if suffix == ".gif":
        return lambda frames, _: _write_gif(out, frames, fps)
    if suffix == ".mp4":
        try:
            import imageio_ffmpeg  # noqa: F401  (optional: the `video` extra)
        except ImportError:
            raise ExportError(VIDEO_HINT) from None
        return lambda frames, _: _write_mp4(out, frames, fps)
    if suffix and not out.is_dir():
        raise ExportError(f"{out}: unknown format {suffix!r} (use .gif, .mp4 or a folder)")
    return lambda frames, scale: _write_pngs(out, frames, scale)


def _to_image(surface: pygame.Surface) -> Image.Image:
    return Image.frombytes("RGB", surface.get_size(), pygame.image.tobytes(surface, "RGB"))


def _write_gif(out: Path, frames: Iterator[Frame], fps: int) -> int:
    """All frames in one looping GIF.

    Every frame uses the first frame's palette, so unchanged pixels stay
    identical and Pillow stores only what moved (a few KB a frame).
    """
    images: list[Image.Image] = []
    for _, surface in frames:
        image = _to_image(surface)
        if images:
            images.append(image.quantize(palette=images[0], dither=Image.Dither.NONE))
        else:
            images.append(image.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                         dither=Image.Dither.NONE))
    out.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(out, save_all=True, append_images=images[1:], duration=round(1000 / fps),
                   loop=0)
    return len(images)


def _write_mp4(out: Path, frames: Iterator[Frame], fps: int) -> int:
    import imageio_ffmpeg

    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    encoder = None
    try:
        for _, surface in frames:
            if encoder is None:
                encoder = imageio_ffmpeg.write_frames(
                    str(out), surface.get_size(), fps=fps, codec="libx264", pix_fmt_in="rgb24",
                    pix_fmt_out="yuv420p", macro_block_size=2, quality=7)
                encoder.send(None)
            encoder.send(pygame.image.tobytes(surface, "RGB"))
            count += 1
    finally:
        if encoder is not None:
            encoder.close()
    return count


def _write_pngs(out: Path, frames: Iterator[Frame], scale: TimeScale) -> int:
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for tick, surface in frames:
        pygame.image.save(surface, str(out / frame_name(tick, scale)))
        count += 1
    return count
