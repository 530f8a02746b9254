"""The pygame viewer: live and replayed runs, drawn from the run database only.

`replays.viewer.app.run_viewer` is the entry point; `replays.viewer.scene.render_frame`
draws one frame onto any surface (tests and the exporter use it without a window).
"""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
