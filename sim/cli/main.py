"""The ``safemall`` command line: a thin layer over :mod:`sim` and :mod:`viz`.

Every input problem is a :class:`sim.errors.SafeMallError`; it is printed as one line on
stderr and the command exits with status 2 (never a traceback). Anything else that escapes
is a bug: one line, exit status 3, and ``--debug`` shows the traceback.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys

import click
import typer

try:  # typer >= 0.16 ships its own copy of click; its exception classes are distinct
    from typer._click import exceptions as _typer_click
    _USAGE: tuple[type[Exception], ...] = (_typer_click.ClickException, click.ClickException)
except ImportError:  # pragma: no cover - older typer uses click itself
    _USAGE = (click.ClickException,)

from sim.errors import SafeMallError, one_line

app = typer.Typer(
    name="safemall",
    help="SafeMall: evacuation and security-staffing simulator for shopping malls.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

@app.callback()
def _root(debug: bool = typer.Option(
        False, "--debug", help="On an internal error, show the traceback instead of one line "
        "(accepted anywhere on the command line).")) -> None:
    """SafeMall: evacuation and security-staffing simulator for shopping malls."""


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


_registered: set[int] = set()
"""Apps (by id) whose commands are registered."""


def _register() -> None:
    if id(app) in _registered:
        return
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(app)
    _registered.add(id(app))


#: Exit status of an unexpected internal error (a bug; ``--debug`` shows the traceback).
EXIT_INTERNAL = 3


def _internal_error(exc: BaseException) -> str:
    """One line for an exception nobody classified, with the hint to rerun with --debug."""
    text = one_line(str(exc))
    text = text if len(text) <= 300 else text[:297] + "..."
    return (f"error: internal error ({type(exc).__name__}: {text}); this is a bug in "
            "SafeMall: rerun with --debug for the traceback and report it")


def _usage_line(exc: Exception) -> str:
    """A command-line usage error as one line: the command, the problem, where to look."""
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "safemall"
    msg = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    return one_line(f"error: {path}: {msg} (see '{path} --help')")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status.

    0 ok, 1 a check failed, 2 bad input (one line naming the file and the field), 3 an
    internal error (one line; ``--debug`` anywhere on the command line, or
    ``SAFEMALL_DEBUG=1``, shows the traceback instead), 130 interrupted.
    """
    _register()
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("SAFEMALL_DEBUG", "") not in ("", "0")
    args = [a for a in args if a != "--debug"]
    cmd = typer.main.get_command(app)
    try:
        rv = cmd.main(args=args, prog_name="safemall", standalone_mode=False)
    except SafeMallError as exc:
        if debug and exc.__cause__ is not None:
            raise  # the exception it stands for, with its traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (typer.Abort, click.Abort):
        print("aborted", file=sys.stderr)
        return 130
    except (typer.Exit, click.exceptions.Exit) as exc:
        return int(exc.exit_code)
    except _USAGE as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # type: ignore[attr-defined]
            return 0
        print(_usage_line(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `safemall ... | head`: the reader left; nothing to report
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the exit flush
        return 0
    except MemoryError:
        if debug:
            raise
        print("error: out of memory; the input asks for more work than this machine can "
              "hold (rerun with --debug for the traceback)", file=sys.stderr)
        return 2
    except Exception as exc:
        if debug:
            raise
        print(_internal_error(exc), file=sys.stderr)
        return EXIT_INTERNAL
    return int(rv) if isinstance(rv, int) else 0


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
