import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # keep stdout for the program's output

from sim.cli import main  # after the environment is set

raise SystemExit(main())
