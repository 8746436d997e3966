"""Clubs (issue 19): teams, rosters, recurring series, RSVP, attendance, waitlists, packs and
fees. A team's coaches manage it; the families of its members see it."""
