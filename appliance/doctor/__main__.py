"""`python -m appliance.doctor`: the same as `depotline doctor`."""

import sys

from appliance.doctor import main

sys.exit(main())
