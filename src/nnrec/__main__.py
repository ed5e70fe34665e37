import sys

from nnrec.cli import main

sys.exit(main())
