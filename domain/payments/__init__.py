"""Paying for sessions in chat, from the invoice to the refund: checkout and pre-checkout checks,
money recorded once per charge, refunds, releasing unpaid sessions, what payers hear and the
/payments views.
"""
