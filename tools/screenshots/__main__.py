"""`python -m tools.screenshots OUT_DIR`: write the docs' screenshots into OUT_DIR (what `make screenshots` does)."""

import sys

from tools.screenshots.shots import main

sys.exit(main())
