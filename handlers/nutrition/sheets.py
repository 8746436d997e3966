"""The printable week: one self-contained HTML page (print-ready CSS, no scripts, every text
escaped) with seven days of meals and their totals against the targets, and the shopping list
grouped by kind of food with the grams summed."""

from __future__ import annotations

from html import escape

from bot.i18n import t
from domain.nutrition.weeks import PrintableWeek
from handlers.nutrition import render

STYLE = """
body { font-family: sans-serif; margin: 1.5cm; color: #111; }
h1 { font-size: 20pt; } h2 { font-size: 14pt; margin-top: 1.2em; }
table { border-collapse: collapse; width: 100%; margin-bottom: 0.6em; }
td, th { border: 1px solid #999; padding: 4px 6px; text-align: left; vertical-align: top; }
.day { page-break-inside: avoid; }
.shopping { page-break-before: always; }
@media print { body { margin: 1cm; } }
"""


def filename(week: PrintableWeek) -> str:
    """The file's name: whose and from when."""
    name = "".join(ch for ch in week.athlete_name if ch.isalnum()) or "plan"
    return f"nutrition-{name}-{week.first.isoformat()}.html"


def week_html(week: PrintableWeek, lang: str | None) -> str:
    """The page."""
    title = t(
        "nutrition.plan.print.title",
        lang,
        name=week.athlete_name,
        date=render.day_text(week.first, lang),
    )
    parts = [
        f'<!DOCTYPE html><html lang="{escape(lang or "en")}"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
    ]
    for on, day in week.days:
        heading = f"{render.day_text(on, lang)} · {render.kind_word(day.kind, lang)}"
        parts.append(f'<div class="day"><h2>{escape(heading)}</h2><table>')
        for meal in day.meals:
            items = "<br>".join(
                escape(
                    t(
                        "nutrition.plan.item",
                        lang,
                        food=line.food.name(lang or "en"),
                        grams=render.number(line.grams, lang),
                    )
                )
                for line in meal.lines
            )
            figures = t(
                "nutrition.plan.print.meal_totals",
                lang,
                kcal=render.number(meal.totals.energy_kcal, lang),
                protein=render.number(meal.totals.protein_g, lang),
            )
            parts.append(
                f"<tr><th>{escape(render.slot_word(meal.slot, lang))}</th>"
                f"<td>{items}</td><td>{escape(figures)}</td></tr>"
            )
        totals = render.totals_line(day.totals, week.targets, lang)
        parts.append(f"</table><p>{escape(totals)}</p></div>")
    parts.append(
        f'<div class="shopping"><h1>{escape(t("nutrition.plan.print.shopping", lang))}</h1>'
    )
    for kind, foods in week.shopping.items():
        parts.append(f"<h2>{escape(t(f'nutrition.kind.{kind}', lang))}</h2><ul>")
        for food, grams in foods:
            line = t(
                "nutrition.plan.item",
                lang,
                food=food.name(lang or "en"),
                grams=render.number(grams, lang),
            )
            parts.append(f"<li>☐ {escape(line)}</li>")
        parts.append("</ul>")
    parts.append("</div></body></html>")
    return "\n".join(parts)
