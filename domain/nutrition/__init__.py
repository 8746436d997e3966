"""Nutrition plans (issue 17): foods with energy, macros and allergens, restrictions, plans of
meals against daily targets, their delivery and check-ins, weekly adherence and templates."""
