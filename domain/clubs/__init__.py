"""Clubs and teams (issue 19): teams and their rosters, weekly series of sessions, RSVP and
attendance."""
