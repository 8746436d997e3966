"""Packs of private lessons and team fees (issue 19, item 6): offers, buying through the payments
flow, the ledger bookings draw from, fee requests and reminders, and the balances /payments
shows."""
