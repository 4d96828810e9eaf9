"""Speed benchmarks with figures: ``python -m bench [--only NAME] [--scale F]``.

Each scenario drives a real view through the full middleware stack on a generated
data set, in the configured database engine but a separate database (see
bench/db.py), and reports its latency next to two floors measured in the same run:
a hello-world view behind the same middleware (H) and the bare SQL the request
issued, replayed through a cursor (S).

Adding a scenario: write a function ``fn(ctx) -> dict`` in a module under
bench/scenarios/, decorate it with ``@scenario("name", needs=("dataset", ...))``
and list the module in bench/scenarios/__init__.py. Data sets live in bench/data/
(``@dataset("name", version=N, tables=...)``); each is generated once per scale and
version and then reused. See bench/core.py.
"""
