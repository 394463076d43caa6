import sys

from chuangwen.cli import main

sys.exit(main())
