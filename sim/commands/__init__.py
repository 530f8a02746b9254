"""One module per `python -m sim` subcommand; each exposes `main(args) -> exit code`."""
