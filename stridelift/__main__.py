"""`python -m stridelift` runs the command line."""

from stridelift.cli import main

main()
