"""Allow `python -m newstrace`."""

from newstrace.cli.main import main

if __name__ == "__main__":
    main()
