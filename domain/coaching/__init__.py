"""Coaches as the platform vets them: the coach profile, specializations, certification documents
and an admin's verification.
"""
