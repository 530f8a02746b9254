"""Ablation experiments (`python -m sim ablate`): runs per condition and seed, measured.

`experiment.run_experiment` simulates the runs (`lockstep`: in one process on
one shared model; `ray_runner`: over Ray), evaluates them (`evaluation`:
interviews, knowledge probes at checkpoints; `metrics`: the pure measures)
and writes tables and plots (`report`, `plots`); `judge` ranks interview
answers with TrueSkill when a judge model is given.
"""
