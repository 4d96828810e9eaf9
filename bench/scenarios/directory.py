"""Directory scenarios: the operator's type-ahead search."""

import random

from django.urls import reverse

from bench.core import Context, Request, client_for, measure_requests, scenario
from directory.models import Extension, Staff
from directory.selectors import directory_search as search
from switchboard.roles import OPERATOR

SEARCHES = 300
NAME, NUMBER, TOPIC = "name", "number", "topic"
NAME_LENGTHS = [1, 2, 2, 3, 3, 3, 4, 4, 5, 6]  # what an operator types before it shows
SKIP_WORDS = {"i", "ni"}


def search_terms(ctx: Context, n: int) -> list[str]:
    """`n` searches of 1 to 6 characters, seeded: name fragments (mostly word
    starts, some from inside a word), extension-number prefixes and a few topic
    words. The first twelve cover every length of both names and numbers, so the
    worst-case query count shows up at any sample size."""
    rng = random.Random(ctx.seed + 1)
    names = list(Staff.objects.values_list("full_name", flat=True).order_by("pk"))
    numbers = list(Extension.objects.values_list("number", flat=True).order_by("pk"))
    topics = [
        t.strip()
        for row in Staff.objects.exclude(topics="").values_list("topics", flat=True)[:500]
        for t in row.split(",")
        if t.strip()
    ]

    def name_fragment(length: int) -> str:
        words = [w for w in rng.choice(names).lower().split() if w not in SKIP_WORDS]
        word = rng.choice(words or ["a"])
        if length >= 3 and len(word) > length and rng.random() < 0.2:
            start = rng.randrange(1, len(word) - length + 1)
            return word[start : start + length]
        return word[:length]

    def number_prefix(length: int) -> str:
        number = rng.choice(numbers)
        if len(number) < length:  # typed one digit too many
            number += str(rng.randrange(10))
        return number[:length]

    terms = [name_fragment(length) for length in range(1, 7)]
    terms += [number_prefix(length) for length in range(1, 7)]
    while len(terms) < n:
        kind = rng.choices([NAME, NUMBER, TOPIC], [60, 30, 10])[0]
        if kind == NAME:
            terms.append(name_fragment(rng.choice(NAME_LENGTHS)))
        elif kind == NUMBER:
            terms.append(number_prefix(rng.randint(1, 6)))
        else:
            terms.append(rng.choice(topics or ["pajak"]).lower()[: rng.randint(3, 6)])
    rng.shuffle(terms)
    return terms[:n]


@scenario("directory_search", needs=("directory",))
def directory_search(ctx: Context) -> dict:
    """Type-ahead: GET directory:search with HX-Request (the results partial), 300
    seeded searches of 1-6 characters on 20,000 staff and 5,000 info entries."""
    terms = search_terms(ctx, ctx.samples or SEARCHES)
    url = reverse("directory:search")
    requests = [Request(url, {"q": t}, {"HTTP_HX_REQUEST": "true"}) for t in terms]
    hits = []

    def check(request, response):
        # Not timed: whether the search found anything (empty answers are cheap).
        hits.append(bool(search(request.params["q"])))

    figures = measure_requests(client_for(OPERATOR), requests, check=check)
    data = ctx.datasets["directory"]
    return {
        **figures,
        "hit_rate": sum(hits) / len(hits),
        "n_staff": data["n_staff"],
        "n_departments": data["n_departments"],
        "n_info": data["n_info"],
    }
