"""Invoices and checkout: Telegram Stars (XTR) and provider payments, refunds of Stars."""

from __future__ import annotations

import secrets

from telegram_emulator.errors import bad_request
from telegram_emulator.methods import api_method
from telegram_emulator.methods.common import SEND_OPTIONS, send, target_chat
from telegram_emulator.methods.messages import flood_check
from telegram_emulator.params import Params
from telegram_emulator.world import BotState, Json

INVOICE_FIELDS = (
    "title",
    "description",
    "payload",
    "currency",
    "prices",
    "provider_token",
    "max_tip_amount",
    "suggested_tip_amounts",
    "provider_data",
    "photo_url",
    "photo_size",
    "photo_width",
    "photo_height",
    "need_name",
    "need_phone_number",
    "need_email",
    "need_shipping_address",
    "send_phone_number_to_provider",
    "send_email_to_provider",
    "is_flexible",
)


def invoice_terms(p: Params) -> Json:
    """Validate an invoice's fields as Telegram does; return the stored terms."""
    title = p.str("title", required=True) or ""
    description = p.str("description", required=True) or ""
    payload = p.str("payload", required=True) or ""
    currency = (p.str("currency", required=True) or "").upper()
    if not 1 <= len(title) <= 32:
        raise bad_request("INVOICE_TITLE_INVALID")
    if not 1 <= len(description) <= 255:
        raise bad_request("INVOICE_DESCRIPTION_INVALID")
    if not 1 <= len(payload.encode()) <= 128:
        raise bad_request("INVOICE_PAYLOAD_INVALID")
    prices = p.json("prices") or []
    if not prices or any(int(item.get("amount", 0)) <= 0 for item in prices):
        raise bad_request("INVOICE_PRICES_INVALID" if not prices else "PRICE_AMOUNT_INVALID")
    stars = currency == "XTR"
    if stars and (p.str("provider_token") or len(prices) != 1):
        raise bad_request("STARS_INVOICE_INVALID")
    if not stars and not p.str("provider_token"):
        raise bad_request("PAYMENT_PROVIDER_INVALID")
    if len(currency) != 3 or not currency.isalpha():
        raise bad_request("CURRENCY_INVALID")
    return {
        "title": title,
        "description": description,
        "payload": payload,
        "currency": currency,
        "total_amount": sum(int(i["amount"]) for i in prices),
        "prices": prices,
        "need_name": p.bool("need_name"),
        "need_email": p.bool("need_email"),
        "need_phone_number": p.bool("need_phone_number"),
    }


@api_method("sendInvoice", "chat_id", "start_parameter", *INVOICE_FIELDS, *SEND_OPTIONS)
async def send_invoice(bot: BotState, p: Params) -> Json:
    chat = target_chat(bot, p)
    terms = invoice_terms(p)
    flood_check(bot, chat.id, chat.person is None)
    invoice = {
        "title": terms["title"],
        "description": terms["description"],
        "start_parameter": p.str("start_parameter") or "",
        "currency": terms["currency"],
        "total_amount": terms["total_amount"],
    }
    message = await send(bot, chat, {"invoice": invoice}, p)
    bot.messages[(chat.id, message["message_id"])]["_terms"] = terms
    return message


@api_method("createInvoiceLink", "subscription_period", "business_connection_id", *INVOICE_FIELDS)
async def create_invoice_link(bot: BotState, p: Params) -> str:
    terms = invoice_terms(p)
    slug = secrets.token_urlsafe(12)
    bot.invoice_links[slug] = terms
    return f"https://t.me/${slug}"


@api_method("answerPreCheckoutQuery", "pre_checkout_query_id", "ok", "error_message")
async def answer_pre_checkout_query(bot: BotState, p: Params) -> bool:
    query_id = p.str("pre_checkout_query_id", required=True) or ""
    waiting = bot.pre_checkouts.get(query_id)
    if waiting is None or waiting.done():
        raise bad_request("QUERY_ID_INVALID")
    ok = p.bool("ok")
    if not ok and not p.str("error_message"):
        raise bad_request("error_message is empty")
    waiting.set_result({"ok": ok, "error_message": p.str("error_message")})
    return True


@api_method("refundStarPayment", "user_id", "telegram_payment_charge_id")
async def refund_star_payment(bot: BotState, p: Params) -> bool:
    charge = bot.charges.get(p.str("telegram_payment_charge_id", required=True) or "")
    if charge is None or charge["user_id"] != p.int("user_id", required=True):
        raise bad_request("CHARGE_NOT_FOUND")
    if charge["currency"] != "XTR":
        raise bad_request("CHARGE_NOT_FOUND")
    if charge.get("refunded"):
        raise bad_request("CHARGE_ALREADY_REFUNDED")
    charge["refunded"] = True
    bot.world.changed()
    await bot.world.emit("refund", charge["user_id"], dict(charge))
    return True
