"""salesboard: a keyboard-driven sales pipeline board for the terminal."""

__version__ = "0.1.0"
