import sys

from runtime._cli import main

sys.exit(main())
