"""Booking sessions with coaches: a coach's availability and its free slots (with their Redis
cache), the rules a slot must pass, booking, the schedule, accepting, moving and cancelling,
after-session outcomes, group sessions, calendar files and the notices each change queues.
"""
