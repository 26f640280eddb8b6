"""``python -m lab.site flap IFACE DOWN_S UP_S [--gateway GW]``: the flapper the lab starts."""

import sys

from lab.site.flapper import main

sys.exit(main())
