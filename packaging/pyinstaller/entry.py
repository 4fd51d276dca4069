import sys

from aep_console.cli import main

sys.exit(main())
