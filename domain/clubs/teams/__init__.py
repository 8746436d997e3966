"""Teams: creating one, its roster and coaches, joining by link, the linked Telegram group and
the coach's messages to the team."""
