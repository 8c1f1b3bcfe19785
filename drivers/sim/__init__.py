"""All-simulated lines and positions for demo mode and engine tests, and the scripted callers
and agents that use them."""

from drivers.sim.agents import AgentDesk, AgentHabits, AgentProfile, SimulatedAgents
from drivers.sim.callers import CallerTraffic, CallOutcome, SimulatedCallers
from drivers.sim.lines import SimulatedLines, prompt_duration_s
from drivers.sim.positions import SimulatedBridge, SimulatedPositions
from drivers.sim.transcript import Transcript

__all__ = [
    "AgentDesk",
    "AgentHabits",
    "AgentProfile",
    "CallOutcome",
    "CallerTraffic",
    "SimulatedAgents",
    "SimulatedBridge",
    "SimulatedCallers",
    "SimulatedLines",
    "SimulatedPositions",
    "Transcript",
    "prompt_duration_s",
]
