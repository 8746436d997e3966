"""Nutrition (issue 17): nutrition plans, the foods they are made of, and the athletes'
check-ins against them. This capability owns the food table and its search, the rules of
allergens and diets, and the totals of meals and days."""
