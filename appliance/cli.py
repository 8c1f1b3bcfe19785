"""The `depotline` command: run the daemon, the demo, the simulator, benchmarks, and check a
configuration file."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import signal
import sys
from importlib import metadata

from appliance import fuzz as fuzz_targets
from appliance.config import DEFAULT_PATH, EX_CONFIG, ConfigError
from appliance.store import StoreError
from drivers.roles import DriverError

log = logging.getLogger(__name__)

EX_USAGE = 64
EX_SOFTWARE = 70
EX_OSERR = 71
EX_IOERR = 74
FUZZ_EXAMPLES_PER_SEED = 50
EX_RESTART = 75  # EX_TEMPFAIL: stopped to be started again (a restore by upload waits)

# verbs whose modules parse their own arguments: (module, argv starts with the verb, help)
DELEGATED = {
    "simulate": ("appliance.simulate", False, "simulate days of calls in virtual time"),
    "soak": ("appliance.soak", False, "days of calls with faults in virtual time, checked"),
    "doctor": ("appliance.doctor", False, "check the box: devices, udev rules, database, disk"),
    "backup": ("appliance.backup", True, "back up the database (and the configuration)"),
    "restore": ("appliance.backup", True, "restore the database from a backup"),
    "users": ("appliance.users_cli", False, "list or add the people who may sign in"),
    "tasks": ("appliance.followup_cli", True, "list the callback tasks (回访)"),
    "tickets": ("appliance.followup_cli", True, "list the complaint tickets (工单)"),
    "waybills": ("appliance.followup_cli", True, "load the tracking export, show a waybill"),
    "report": ("appliance.report_cli", False, "print a calendar period's figures (--json)"),
}


def _version() -> str:
    try:
        return metadata.version("depotline")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="depotline", description="A call centre in a box: lines, queues, agents, wallboard."
    )
    parser.add_argument("--version", action="version", version=f"depotline {_version()}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND")

    run = verbs.add_parser("run", help="run the daemon on the configured devices")
    run.add_argument("--config", default=DEFAULT_PATH, help=f"configuration file ({DEFAULT_PATH})")

    demo = verbs.add_parser("demo", help="run a simulated depot: callers, agents, wallboard, web")
    demo.add_argument("--speed", type=float, default=1.0, help="simulated time × speed (1)")
    demo.add_argument("--duration-s", type=float, default=0.0, help="stop after S real seconds")
    demo.add_argument("--db", default="", help="database file (default: a temporary one)")
    demo.add_argument("--port", type=int, default=8080, help="web page port (8080)")
    demo.add_argument("--no-web", action="store_true", help="no web page")
    demo.add_argument("--no-console", action="store_true", help="no console wallboard")
    demo.add_argument("--seed", type=int, default=1, help="seed of the simulated callers/agents")
    demo.add_argument("--calls-per-hour", type=float, default=0.0, help="arrival rate override")
    demo.add_argument(
        "--modems",
        type=int,
        nargs="?",
        const=2,
        default=0,
        metavar="N",
        help="N (2) of the 4 lines are simulated voice modems on the real modem driver",
    )
    demo.add_argument(
        "--history-days",
        type=int,
        default=28,
        metavar="N",
        help="days of past calls, logins and roster a new database starts with (28; 0: none)",
    )

    check = verbs.add_parser("check-config", help="check a configuration file and exit")
    check.add_argument("path", nargs="?", default=DEFAULT_PATH)

    bench = verbs.add_parser("bench", help="run a benchmark and print its figures")
    bench.add_argument("name", help="engine, modem, sip, wallboard or web")
    bench.add_argument("--json", action="store_true", help="print one JSON object")

    fuzz = verbs.add_parser("fuzz", help="run property-based tests for longer, from a seed")
    fuzz.add_argument(
        "target",
        nargs="?",
        default="engine",
        help="what to fuzz: " + ", ".join(fuzz_targets.TARGETS) + " (default: engine)",
    )
    fuzz.add_argument("--minutes", type=float, default=10.0, help="how long to run (10)")
    fuzz.add_argument("--seed", type=int, default=None, help="first seed (default: random)")

    firmware = verbs.add_parser("firmware", help="install the wallboard board's firmware")
    firmware_verbs = firmware.add_subparsers(dest="firmware_verb", metavar="ACTION", required=True)
    flash = firmware_verbs.add_parser("flash", help="copy the firmware to the board with mpremote")
    flash.add_argument("port", help="the board's serial device, e.g. /dev/depotline/board0")

    for verb, (_module, _with_verb, summary) in DELEGATED.items():
        # each parses its own arguments (its --help included)
        delegated = verbs.add_parser(verb, help=summary, add_help=False)
        delegated.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    parser = _parser()
    verb_index = next((n for n, a in enumerate(args_list) if not a.startswith("-")), None)
    if verb_index is not None and args_list[verb_index] in DELEGATED:
        verb = args_list[verb_index]
        options = args_list[:verb_index]
        _logging(verbose="-v" in options or "--verbose" in options)
        module, with_verb, _summary = DELEGATED[verb]
        rest = args_list[verb_index + 1 :]
        entry = importlib.import_module(module)
        code: int = entry.main([verb, *rest] if with_verb else rest)
        return code
    args = parser.parse_args(args_list)
    _logging(verbose=args.verbose)
    if args.verb is None:
        parser.print_help()
        return EX_USAGE
    try:
        if args.verb == "check-config":
            return _check_config(args.path)
        if args.verb == "bench":
            return _bench(args.name, as_json=args.json)
        if args.verb == "run":
            return _run(args.config)
        if args.verb == "demo":
            return _demo(args)
        if args.verb == "firmware":
            return _flash_firmware(args.port)
        if args.verb == "fuzz":
            return _fuzz(args.target, minutes=args.minutes, first_seed=args.seed)
    except ConfigError as exc:
        print(f"depotline: {exc}", file=sys.stderr)
        return EX_CONFIG
    except OSError as exc:
        # a port in use, a folder that is not writable …
        print(f"depotline: {exc}", file=sys.stderr)
        return EX_OSERR
    except StoreError as exc:
        # at start-up: the database cannot be opened (later failures crash with a traceback)
        print(f"depotline: {exc}", file=sys.stderr)
        return EX_IOERR
    parser.error(f"unknown command {args.verb}")
    return EX_USAGE


def _logging(*, verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )


def _flash_firmware(port: str) -> int:
    from appliance.wiring import flash_wallboard_firmware

    try:
        flash_wallboard_firmware(port)
    except DriverError as exc:
        print(f"depotline: {exc}", file=sys.stderr)
        return 1
    print(f"depotline: the wallboard firmware is installed on {port}; the board restarts")
    return 0


def _check_config(path: str) -> int:
    from appliance import config
    from appliance.doctor.checks import FAIL, OK, check_sip_capacity

    loaded = config.load(path)
    refused = False
    for finding in check_sip_capacity(loaded):
        if finding.level != OK:
            print(f"depotline: {path}: {finding.level}: {finding.message}", file=sys.stderr)
            refused = refused or finding.level == FAIL
    if refused:
        return EX_CONFIG
    lines = ", ".join(loaded.line_ids) or "none"
    positions = ", ".join(p.id for p in loaded.positions) or "none"
    print(f"{path}: OK — lines: {lines}; positions: {positions}")
    return 0


def _fuzz(target_name: str, *, minutes: float, first_seed: int | None) -> int:
    """Run a fuzz target from seed after seed until the time is up; print each seed first so
    a failure is replayed with --seed. Exit 1 on the first failure."""
    import random
    import time

    from appliance import fuzz

    if target_name not in fuzz.TARGETS:
        print(f"depotline: no fuzz target {target_name!r}; one of {sorted(fuzz.TARGETS)}")
        return EX_USAGE
    try:
        target = fuzz.load(target_name)
    except ImportError as exc:
        print(f"depotline: fuzzing needs the test extras (pip install depotline[test]): {exc}")
        return EX_SOFTWARE
    # their notes (a dropped caller ID, a restarted board), by the thousand
    logging.getLogger("appliance.engine").setLevel(logging.ERROR)
    logging.getLogger("drivers").setLevel(logging.ERROR)
    run_seed = random.randrange(2**32) if first_seed is None else first_seed
    ends_s = time.monotonic() + minutes * 60.0
    runs = 0
    while True:
        print(f"fuzz {target_name} --seed {run_seed}", flush=True)
        try:
            target(run_seed, FUZZ_EXAMPLES_PER_SEED)
        except Exception as exc:
            print(f"FAILED with --seed {run_seed}: {exc}", flush=True)
            return 1
        runs += 1
        run_seed += 1
        if time.monotonic() >= ends_s:
            break
    print(f"fuzz {target_name}: {runs} seeds, {runs * FUZZ_EXAMPLES_PER_SEED} runs, no failure")
    return 0


def _bench(name: str, *, as_json: bool) -> int:
    from appliance import wiring

    try:
        run_benchmark = wiring.benchmark(name)
    except LookupError as exc:
        print(f"depotline: {exc}", file=sys.stderr)
        return EX_USAGE
    except ImportError as exc:
        print(f"depotline: the {name} benchmark is not available: {exc}", file=sys.stderr)
        return EX_SOFTWARE
    figures = run_benchmark()
    if as_json:
        print(json.dumps(figures, ensure_ascii=False, sort_keys=True))
    else:
        width = max((len(key) for key in figures), default=0)
        for key, value in figures.items():
            print(f"{key:<{width}}  {value}")
    return 0


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)


def _run(config_path: str) -> int:
    from appliance import config, daemon

    loaded = config.load(config_path)

    async def main() -> bool:
        stop = asyncio.Event()
        _stop_on_signals(stop)
        return await daemon.serve(loaded, stop)

    # Restart=always in the unit starts it again; the code tells the journal why it stopped.
    return EX_RESTART if asyncio.run(main()) else 0


def _demo(args: argparse.Namespace) -> int:
    from appliance import demo

    if args.speed <= 0:
        print("depotline: --speed must be above 0", file=sys.stderr)
        return EX_USAGE
    if args.modems and args.speed != 1.0:
        print("depotline: simulated modems keep real time: no --speed", file=sys.stderr)
        return EX_USAGE
    if not 0 <= args.modems < demo.DEMO_LINES:
        print(f"depotline: --modems can be 0 to {demo.DEMO_LINES - 1}", file=sys.stderr)
        return EX_USAGE
    if not args.no_console and sys.stdout.isatty() and not args.verbose:
        # the board redraws the terminal; INFO lines would scroll it away
        logging.getLogger().setLevel(logging.WARNING)
    options = demo.DemoOptions(
        speed=args.speed,
        duration_s=args.duration_s,
        database=args.db,
        port=None if args.no_web else args.port,
        console=not args.no_console,
        seed=args.seed,
        calls_per_hour=args.calls_per_hour,
        modems=args.modems,
        history_days=args.history_days,
    )

    async def main() -> None:
        stop = asyncio.Event()
        _stop_on_signals(stop)
        await demo.run_demo(options, stop)

    try:
        asyncio.run(main())
    except demo.NotADemoDatabase as exc:
        print(f"depotline: {exc}", file=sys.stderr)
        return EX_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
