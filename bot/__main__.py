"""`python -m bot` is the `sisterbot` command."""

from bot.cli import main

raise SystemExit(main())
