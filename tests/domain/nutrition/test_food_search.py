"""Finding foods by a typed name: in the reader's language, past typos and accents, in the
database."""

from __future__ import annotations

from sqlalchemy import text

from domain.nutrition.foods import Food, foods_by_ids, search_foods
from domain.uow import UnitOfWork


async def names(uow: UnitOfWork, typed: str, language: str, **options: int) -> list[str]:
    async with uow as tx:
        found: list[Food] = await search_foods(tx, typed, language, **options)
    return [f.name(language) for f in found]


async def test_an_exact_name_comes_first(uow: UnitOfWork) -> None:
    assert (await names(uow, "Chicken breast", "en"))[0] == "Chicken breast"
    assert (await names(uow, "pechuga de pollo", "es"))[0] == "Pechuga de pollo"


async def test_a_typo_still_finds_the_food(uow: UnitOfWork) -> None:
    assert (await names(uow, "chiken brest", "en"))[0] == "Chicken breast"
    assert "Roast chicken" in await names(uow, "chiken", "en")
    assert (await names(uow, "yoghurt", "en"))[0].endswith("yogurt")
    assert (await names(uow, "salmom", "es"))[0] == "Salmón"
    assert (await names(uow, "platno", "es"))[0] == "Plátano"
    assert (await names(uow, "brocolli", "en"))[0] == "Broccoli"


async def test_accents_neither_help_nor_hurt(uow: UnitOfWork) -> None:
    assert (await names(uow, "platano", "es"))[0] == "Plátano"
    assert (await names(uow, "PLÁTANO", "es"))[0] == "Plátano"
    assert (await names(uow, "brocoli", "es"))[0] == "Brócoli"
    assert (await names(uow, "champinones", "es"))[0] == "Champiñones"
    assert (await names(uow, "atun en lata", "es"))[0].startswith("Atún en lata")


async def test_spanish_readers_search_and_read_spanish_names(uow: UnitOfWork) -> None:
    found = await names(uow, "garbanzos", "es")

    assert found[0] == "Garbanzos"
    assert "Garbanzos cocidos" in found


async def test_a_name_in_the_other_language_is_found_too_but_ranks_after(uow: UnitOfWork) -> None:
    assert "Sliced ham" in await names(uow, "jamón", "en")
    assert "Arroz blanco" in await names(uow, "rice", "es")


async def test_an_unknown_word_gets_the_nearest_names(uow: UnitOfWork) -> None:
    # "Spagetti" is no food of the table; the dishes with spaghetti are the nearest.
    found = await names(uow, "spagetti", "en")

    assert found and all("Spaghetti" in name for name in found)


async def test_nothing_near_finds_nothing(uow: UnitOfWork) -> None:
    assert await names(uow, "qwertyuiop", "en") == []
    assert await names(uow, "   ", "en") == []


async def test_at_most_limit_foods_come_back_best_first(uow: UnitOfWork) -> None:
    found = await names(uow, "rice", "en", limit=3)

    assert len(found) == 3
    assert len(await names(uow, "rice", "en")) == 8
    assert found == (await names(uow, "rice", "en"))[:3]


async def test_the_typed_text_is_data_never_sql(uow: UnitOfWork) -> None:
    for typed in ("'; DROP TABLE foods; --", "%", "_", "\\", "' OR 1=1 --", "egg'); --"):
        await names(uow, typed, "en")
    async with uow as tx:
        count = await (await tx.connection()).scalar(text("SELECT count(*) FROM foods"))

    assert count > 300
    assert await names(uow, "%", "en") == []


async def test_a_very_long_text_is_cut_not_refused(uow: UnitOfWork) -> None:
    assert (await names(uow, "banana " + "x" * 5000, "en"))[0] == "Banana"


async def test_foods_by_ids_returns_those_that_exist(uow: UnitOfWork) -> None:
    async with uow as tx:
        found = await foods_by_ids(tx, [9040, 5062, 9040, 123456789])
        nothing = await foods_by_ids(tx, [])

    assert sorted(found) == [5062, 9040]
    assert found[9040].name("es") == "Plátano"
    assert found[5062].name("en") == "Chicken breast"
    assert nothing == {}
