"""Running the service from the chat (issue 18): who is an admin, /stats, /user (find, card,
suspend, unsuspend, reset), the audit trail, refunds done by hand and CSV exports."""
