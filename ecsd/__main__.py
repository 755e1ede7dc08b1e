"""`python -m ecsd` runs the CLI (tests start the server this way)."""

from .cli import main

main()
