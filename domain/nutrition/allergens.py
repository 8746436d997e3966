"""What a person may declare they avoid: the EU's 14 allergens and the diets we know.

Both are defined with the food table's model (its CHECK constraints list them) and are the
same classes here, the name the rest of the capability uses."""

from domain.models import Allergen, Diet

__all__ = ["Allergen", "Diet"]
