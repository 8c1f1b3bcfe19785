"""The decisions: calls, queues, routing strategies, agent states, caller flow, timers.

Pure and synchronous: `Engine.handle(event) -> list[Action]`, with the time in every event.
No asyncio, no I/O, no wall clock (ARCHITECTURE.md).
"""
