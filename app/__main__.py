"""`python -m app` == `modelwerk`."""

import sys

from app.cli import main

sys.exit(main())
