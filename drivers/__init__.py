"""depotline drivers: one sub-package per device family, and the roles they play."""
