"""The notifications outbox and what fills it on a clock: sending due notices once, session
reminders, and coaches' morning digests.
"""
