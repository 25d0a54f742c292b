"""``python -m classifier.train --corpus DIR [-o MODEL_DIR] [--seed 0] ...``: the same as ``newstag train``."""

import sys

from corpus._cli import main

if __name__ == "__main__":
    sys.exit(main(["train", *sys.argv[1:]]))
