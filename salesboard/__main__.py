"""``python -m salesboard`` runs the same CLI as the ``salesboard`` command."""

from salesboard.cli import main

if __name__ == "__main__":
    main()
