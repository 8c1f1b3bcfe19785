"""depotline web UI."""
