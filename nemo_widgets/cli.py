"""The ``nemo-widgets`` command."""

from __future__ import annotations

import argparse
import sys

from nemo_widgets._version import __version__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="nemo-widgets", description="Edit video with AI from a notebook."
    )
    parser.add_argument("--version", action="version", version=f"nemo-widgets {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the embedded engine (loopback by default)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--data-dir", default=None, help="where sessions and media are kept")
    p.add_argument(
        "--credits",
        type=int,
        default=None,
        help="credits for each new user (default 100000 for local use)",
    )
    p.add_argument(
        "--allow-remote", action="store_true", help="allow a non-loopback --host (prints a warning)"
    )
    p.add_argument(
        "--dask",
        default=None,
        metavar="ADDRESS",
        help="send renders and vision jobs to this Dask scheduler (tcp://HOST:8786; default "
        "$NEMO_DASK_SCHEDULER); --data-dir must be a path every worker sees",
    )

    m = sub.add_parser("models", help="list or fetch the model weights the engine uses")
    m.add_argument("action", choices=["list", "fetch"])

    d = sub.add_parser("demo", help="run the demo on the embedded engine (what `make demo` does)")
    d.add_argument("--out", default="out")

    args = parser.parse_args(argv)
    if args.command == "serve":
        try:
            from nemo_widgets.engine.server import LOCAL_CREDITS, serve
        except ImportError as e:
            print(
                f'the engine needs its extra: pip install "nemo-widgets[engine]" ({e})',
                file=sys.stderr,
            )
            return 2
        serve(
            args.host,
            args.port,
            args.data_dir,
            credits=LOCAL_CREDITS if args.credits is None else args.credits,
            allow_remote=args.allow_remote,
            dask=args.dask,
        )
        return 0
    if args.command == "models":
        return _models(args.action)
    if args.command == "demo":
        from nemo_widgets.demo import main as demo_main

        return demo_main(["--out", args.out])
    return 1


def _models(action: str) -> int:
    try:
        from nemo_widgets.engine.vision.models import MODELS, ModelUnavailable, model_path, status
    except ImportError as e:
        print(
            f'the engine needs its extra: pip install "nemo-widgets[engine]" ({e})', file=sys.stderr
        )
        return 2
    if action == "fetch":
        for name in MODELS:
            try:
                print(f"{name}: {model_path(name)}")
            except ModelUnavailable as e:
                print(f"{name}: {e}", file=sys.stderr)
                return 1
        return 0
    for name, state, desc in status():
        print(f"{name:<18} {state:<8} {desc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
