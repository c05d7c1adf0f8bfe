"""``python -m sims`` is the same as the ``allonet`` command."""

from sims.app import main

if __name__ == "__main__":
    main()
