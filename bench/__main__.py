"""python -m bench [--only NAME] [--scale F] [--rebuild] [--list]

Runs the scenarios against the bench database (never the app's own), prints a
table per scenario and merges the figures into var/bench/results.json.
"""

import argparse
import os
import sys
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--only", metavar="NAME", help="run one scenario")
    parser.add_argument("--scale", type=float, default=1.0, help="data-set size factor")
    parser.add_argument("--samples", type=int, help="measured requests per scenario")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data sets")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")

    # The bench settings wrap the app's: same engine, separate database.
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django
    from django.conf import settings

    from bench import db as bench_db

    bench_db.ensure_database(settings.DATABASES["default"])
    django.setup()

    from django.core.management import call_command

    from bench import core

    core.load()
    if args.list:
        for name, spec in core.SCENARIOS.items():
            print(f"{name:<24} {spec.doc.splitlines()[0] if spec.doc else ''}")
        return 0
    names = [args.only] if args.only else list(core.SCENARIOS)
    unknown = [n for n in names if n not in core.SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {unknown[0]!r}; try --list")

    database = settings.DATABASES["default"]
    print(f"bench database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
    call_command("migrate", interactive=False, verbosity=0)
    results_path = settings.BENCH_DIR / "results.json"
    for name in names:
        started = time.perf_counter()
        ctx = core.Context(
            scale=args.scale, samples=args.samples, rebuild=args.rebuild, verbose=True
        )
        print(f"\n{name}: preparing …", flush=True)
        figures = core.run_scenario(name, ctx)
        figures["scale"] = args.scale
        print(core.format_table(name, figures))
        core.write_results(results_path, name, figures)
        print(f"({time.perf_counter() - started:.1f} s; figures merged into {results_path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
