"""Which of people's commands cannot apply now. The engine asks before it changes anything;
a refusal is a CommandRefused with a message for the person who asked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from appliance.engine.agents import AgentBoard, AgentSeat
from appliance.engine.calls import TALKING, Call, Offer
from appliance.engine.commands import (
    Block,
    Command,
    CommandRefused,
    HangUp,
    Hold,
    Listen,
    LogIn,
    LogOut,
    Mute,
    Pause,
    PlaceCall,
    Ready,
    SetupChanged,
    StopListening,
    ThreeWay,
    Transfer,
    TransferToQueue,
    Unhold,
)
from appliance.engine.devices import PositionState
from appliance.engine.setup import setup_problems
from appliance.engine.views import AgentState, CallStage


class CommandChecks:
    """Reads the engine's live state (the same dictionaries the engine changes) to decide
    whether a command can apply; also answers the lookups the engine's call control shares."""

    def __init__(
        self,
        board: AgentBoard,
        positions: dict[str, PositionState],
        calls: dict[str, Call],
        offers: dict[str, Offer],
    ) -> None:
        self._board = board
        self._positions = positions
        self._calls = calls
        self._offers = offers
        # why a queue would not take this caller now ("" = it would): set by the engine to
        # the queueing part's own rule, so the refusal and the joining cannot disagree
        self.queue_refusal: Callable[[Call, str, float], str] = lambda _call, _queue, _t: ""
        self._checks: dict[type, Callable[[Any], None]] = {
            LogIn: self._check_log_in,
            LogOut: self._check_logged_in,
            Pause: self._check_logged_in,
            Ready: self._check_ready,
            Hold: self._check_hold,
            Unhold: self._check_unhold,
            Mute: self._check_talking,
            Transfer: self._check_transfer,
            TransferToQueue: self._check_transfer_to_queue,
            ThreeWay: self._check_three_way,
            HangUp: self._check_hang_up,
            Block: self._check_block,
            Listen: self._check_listen,
            StopListening: self._check_stop_listening,
            PlaceCall: self._check_place_call,
            SetupChanged: self._check_setup,
        }

    def check(self, command: Command) -> None:
        """Raise CommandRefused if `command` cannot apply now (Tick and KeypadLoginChecked
        always can; SetupChanged when the settings are valid)."""
        check = self._checks.get(type(command))
        if check is not None:
            check(command)

    def talking_call(self, agent_id: str) -> tuple[AgentSeat, Call] | None:
        """The agent and the conversation they lead (connected or on hold), if any."""
        seat = self._board.seats.get(agent_id)
        if seat is None:
            return None
        call = self._calls.get(seat.call_id)
        if call is None or call.agent != seat.id or call.stage not in TALKING:
            return None
        return seat, call

    def side_offer_of(self, call: Call) -> str:
        """The agent being rung to take over or join this call, if any."""
        for agent_id, offer in self._offers.items():
            if offer.call_id == call.id and offer.kind in ("transfer", "three_way"):
                return agent_id
        return ""

    def _known_seat(self, agent_id: str) -> AgentSeat:
        seat = self._board.seats.get(agent_id)
        if seat is None:
            raise CommandRefused(f"there is no agent {agent_id!r}")
        return seat

    def _check_logged_in(self, command: LogOut | Pause | Ready) -> None:
        if not self._known_seat(command.agent).logged_in:
            raise CommandRefused(f"agent {command.agent} is not logged in")

    def _check_ready(self, command: Ready) -> None:
        self._check_logged_in(command)
        if not command.by:
            self._check_no_summary_owed(self._board.seats[command.agent])

    def _check_no_summary_owed(self, seat: AgentSeat) -> None:
        if seat.summary_call_id:
            raise CommandRefused(
                f"agent {seat.id} must save the call summary of {seat.summary_call_id} first"
            )

    def _check_log_in(self, command: LogIn) -> None:
        seat = self._known_seat(command.agent)
        position = self._positions.get(command.position)
        holder = self._board.seats.get(position.agent) if position and position.agent else None
        if holder is not None and holder is not seat and holder.activity is AgentState.ON_CALL:
            raise CommandRefused(f"{holder.id} is on a call at {command.position}")
        moving = seat.logged_in and seat.position != command.position
        if moving and seat.activity is AgentState.ON_CALL:
            raise CommandRefused(f"agent {seat.id} is on a call at {seat.position}")

    def _conversation_of(self, agent_id: str) -> Call:
        self._known_seat(agent_id)
        found = self.talking_call(agent_id)
        if found is None:
            raise CommandRefused(f"agent {agent_id} is not in a conversation")
        return found[1]

    def _inbound_conversation_of(self, agent_id: str) -> Call:
        call = self._conversation_of(agent_id)
        if call.direction != "in":
            raise CommandRefused("only an inbound caller can be transferred, joined or blocked")
        return call

    def _check_talking(self, command: Mute) -> None:
        self._conversation_of(command.agent)

    def _check_hold(self, command: Hold) -> None:
        if self._conversation_of(command.agent).stage is not CallStage.CONNECTED:
            raise CommandRefused(f"agent {command.agent}'s caller is already on hold")

    def _check_unhold(self, command: Unhold) -> None:
        if self._conversation_of(command.agent).stage is not CallStage.ON_HOLD:
            raise CommandRefused(f"agent {command.agent}'s caller is not on hold")

    def _check_block(self, command: Block) -> None:
        self._inbound_conversation_of(command.agent)

    def _check_colleague(self, agent_id: str, colleague_id: str) -> None:
        call = self._inbound_conversation_of(agent_id)
        colleague = self._known_seat(colleague_id)
        if not colleague.available:
            raise CommandRefused(f"agent {colleague_id} is not free")
        if self.side_offer_of(call):
            raise CommandRefused("a colleague is already being rung for this call")

    def _check_transfer(self, command: Transfer) -> None:
        self._check_colleague(command.agent, command.to_agent)

    def _check_transfer_to_queue(self, command: TransferToQueue) -> None:
        call = self._inbound_conversation_of(command.agent)
        if self.side_offer_of(call):
            raise CommandRefused("a colleague is already being rung for this call")
        refusal = self.queue_refusal(call, command.queue, command.time_s)
        if refusal:
            raise CommandRefused(refusal)

    def _check_three_way(self, command: ThreeWay) -> None:
        self._check_colleague(command.agent, command.with_agent)

    def _check_hang_up(self, command: HangUp) -> None:
        seat = self._known_seat(command.agent)
        if seat.id not in self._offers and seat.activity is not AgentState.ON_CALL:
            raise CommandRefused(f"agent {seat.id} has no call to hang up")

    def _check_listen(self, command: Listen) -> None:
        supervisor = self._known_seat(command.supervisor)
        if not supervisor.config.supervisor:
            raise CommandRefused(f"{supervisor.id} is not a supervisor")
        position = self._positions.get(supervisor.position)
        if not supervisor.logged_in or position is None or not position.in_service:
            raise CommandRefused(f"{supervisor.id} is not logged in at a working position")
        if supervisor.activity is not None:
            raise CommandRefused(f"{supervisor.id} is busy")
        self._known_seat(command.agent)
        if self.talking_call(command.agent) is None:
            raise CommandRefused(f"agent {command.agent} is not in a conversation")

    def _check_stop_listening(self, command: StopListening) -> None:
        if not self._known_seat(command.supervisor).listening_to:
            raise CommandRefused(f"{command.supervisor} is not listening to a call")

    def _check_setup(self, command: SetupChanged) -> None:
        problems = setup_problems(command.setup)
        if problems:
            raise CommandRefused("; ".join(problems))

    def _check_place_call(self, command: PlaceCall) -> None:
        seat = self._known_seat(command.agent)
        if not command.number:
            raise CommandRefused("no number to call")
        position = self._positions.get(seat.position)
        if not seat.logged_in or position is None or not position.in_service:
            raise CommandRefused(f"agent {seat.id} is not logged in at a working position")
        if seat.listening_to or seat.activity not in (None, AgentState.WRAP_UP):
            raise CommandRefused(f"agent {seat.id} is busy")
        self._check_no_summary_owed(seat)
