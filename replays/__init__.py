"""The event log of a run and everything that turns a run database into pictures."""
