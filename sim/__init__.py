"""The simulation: clock, scheduler, model backends, storage, config and the command line."""
