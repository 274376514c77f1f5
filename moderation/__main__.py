"""`python -m moderation`: the one command-line entry point."""

from moderation.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
