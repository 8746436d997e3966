"""Every SQL statement of the booking capability: sessions and their parties (`sessions`), the
coach directory (`directory`), and the one statement that writes a session's notices
(`notice_queue`)."""
