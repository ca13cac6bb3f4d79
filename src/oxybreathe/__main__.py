import sys

from oxybreathe.cli import main

sys.exit(main())
