"""Copied to the board as /main.py: starts the wallboard firmware at power-on."""

from wallboard.app import main  # type: ignore[import-not-found]

main()
