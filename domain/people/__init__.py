"""People and families: signing up, profiles and their encrypted fields, parents and their
children, invitations by deep link, quiet hours, and whether a person can still be reached.
"""
