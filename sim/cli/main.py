"""The ``safemall`` command line: a thin layer over :mod:`sim` and :mod:`viz`.

Every input problem is a :class:`sim.errors.SafeMallError`; it is printed as one line on
stderr and the command exits with status 2 (never a traceback).
"""

from __future__ import annotations

import sys

import click
import typer

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
    except click.exceptions.Abort:
        print("aborted", file=sys.stderr)
        return 130
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return 2
    return int(rv) if isinstance(rv, int) else 0


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
