"""depotline appliance: the engine, the store, the figures and the asyncio shell."""
