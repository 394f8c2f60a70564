"""python -m bench: the national-scale benchmark (see bench/run.py and the README)."""

import sys

from .run import main

sys.exit(main())
