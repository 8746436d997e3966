"""Privacy for everyone (issue 18, item 7): /mydata's ZIP of what is held about a person and
the children they guard, and /deleteme's erasure after a 7-day grace (docs/privacy.md)."""
