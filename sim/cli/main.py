"""The ``safemall`` command line: a thin layer over :mod:`sim` and :mod:`viz`.

Every input problem is a :class:`sim.errors.SafeMallError`; it is printed as one line on
stderr and the command exits with status 2 (never a traceback).
"""

from __future__ import annotations

import sys

import click
import typer

try:  # typer >= 0.16 ships its own copy of click; its exception classes are distinct
    from typer._click import exceptions as _typer_click
    _USAGE: tuple[type[Exception], ...] = (_typer_click.ClickException, click.ClickException)
except ImportError:  # pragma: no cover - older typer uses click itself
    _USAGE = (click.ClickException,)

from sim.errors import SafeMallError

app = typer.Typer(
    name="safemall",
    help="SafeMall: evacuation and security-staffing simulator for shopping malls.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_COMMAND_MODULES = (
    "sim.cli.layout_cmd",
    "sim.cli.import_cmd",
    "sim.cli.run_cmd",
    "sim.cli.replay_cmd",
    "sim.cli.plot_cmd",
    "sim.cli.barriers_cmd",
    "sim.cli.check_cmd",
    "sim.cli.batch_cmd",
    "sim.cli.deploy_cmd",
    "sim.cli.assumptions_cmd",
    "sim.cli.sensitivity_cmd",
    "sim.cli.report_cmd",
)


def _register() -> None:
    import importlib

    if getattr(app, "_safemall_registered", False):
        return
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(app)
    app._safemall_registered = True  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 ok, 1 a check failed, 2 bad input)."""
    _register()
    cmd = typer.main.get_command(app)
    try:
        rv = cmd.main(args=argv, prog_name="safemall", standalone_mode=False)
    except SafeMallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (typer.Abort, click.Abort):
        print("aborted", file=sys.stderr)
        return 130
    except (typer.Exit, click.exceptions.Exit) as exc:
        return int(exc.exit_code)
    except _USAGE as exc:
        exc.show()  # type: ignore[attr-defined]
        return 0 if type(exc).__name__ == "NoArgsIsHelpError" else 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return int(rv) if isinstance(rv, int) else 0


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
