"""The benchmark's towns, casts and labelled cases: one TOML file per town (package data)."""
