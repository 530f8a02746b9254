"""`python -m sim bench fidelity`: labelled cases scored through the simulation's own code.

Each case puts one resident of a town written for the benchmark (never a shipped one)
into one situation and runs the cognition step the simulation runs there (`start_day`,
`choose_arena`, `consider`, `remember_rated`, `answer_probe`, `interview`) through the
model interface; scorers in `scoring` turn what came back into the metrics of issue 12.
The `party` check runs the shipped `party` scenario end to end (`party`).
"""
