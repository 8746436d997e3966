// The emulator's web chat: act as a Telegram user in a private chat with the bot.
// Talks only to the emulator's /api (see telegram_emulator/webchat.py and README.md there). Message text arrives already
// rendered and escaped by the server (`html`); anything else is put in the page as text.
"use strict";

const STORAGE_KEY = "telegram-emulator.webchat.person";
const POLL_TIMEOUT_S = 20;
const TYPING_MS = 5000;
const TOAST_MS = 4500;
// Digits after the decimal point, as Telegram's currencies list them; the rest use 2.
const CURRENCY_EXPONENTS = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};
const ACTIONS = {
  typing: "typing…", upload_photo: "sending a photo…", upload_video: "sending a video…",
  record_video: "recording a video…", upload_document: "sending a file…",
  record_voice: "recording a voice message…", upload_voice: "sending a voice message…",
  record_video_note: "recording a video message…", upload_video_note: "sending a video message…",
  find_location: "finding a location…", choose_sticker: "choosing a sticker…",
};

const state = {
  bot: null,
  people: [],
  person: null,          // the chosen person (an entry of `people`)
  messages: new Map(),   // message_id -> message, for the chosen person's chat
  lastSeq: 0,
  loading: null,         // events that arrived while the transcript was loading
  dismissedKeyboard: null,
  replyTo: null,         // the message the composer replies to, or null
  typingTimer: null,
  refreshing: null,      // a pending reload of the people list
};

const $ = (id) => document.getElementById(id);

// --- talking to the emulator ------------------------------------------------------------------

class ApiError extends Error {}

async function api(path, { method = "GET", json, form } = {}) {
  const options = { method, headers: {} };
  if (json !== undefined) {
    options.body = JSON.stringify(json);
    options.headers["Content-Type"] = "application/json";
  } else if (form !== undefined) {
    options.body = form;
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (err) {
    throw new ApiError("The emulator can't be reached. Is it still running?");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok || (body && body.ok === false)) {
    const reason = (body && body.description) || `${response.status} ${response.statusText}`;
    throw new ApiError(reason);
  }
  return body;
}

async function act(what, call) {
  try {
    return await call();
  } catch (err) {
    toast(`${what}: ${politely(err.message)}`, "error");
    return null;
  }
}

function politely(reason) {
  const text = String(reason || "something went wrong").replace(/^Bad Request: /, "");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function personPath(action) {
  return `/api/people/${state.person.id}/${action}`;
}

// --- small DOM helpers ------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function toast(text, kind = "info") {
  const node = el("div", { class: `toast ${kind}`, text });
  $("toasts").append(node);
  setTimeout(() => node.classList.add("leaving"), TOAST_MS - 300);
  setTimeout(() => node.remove(), TOAST_MS);
}

function showAlert(title, text) {
  const backdrop = $("alert");
  const previous = document.activeElement;
  $("alert-title").textContent = title;
  $("alert-text").textContent = text;
  backdrop.hidden = false;
  $("alert-ok").focus();
  const close = () => {
    backdrop.hidden = true;
    document.removeEventListener("keydown", onKey);
    if (previous && previous.focus) previous.focus();
  };
  const onKey = (event) => { if (event.key === "Escape" || event.key === "Enter") close(); };
  $("alert-ok").onclick = close;
  document.addEventListener("keydown", onKey);
}

function initials(name) {
  return (name || "?").trim().charAt(0).toUpperCase() || "?";
}

function displayName(user) {
  return [user.first_name, user.last_name].filter(Boolean).join(" ");
}

function formatSize(bytes) {
  if (!bytes && bytes !== 0) return "";
  const units = ["B", "KB", "MB", "GB"];
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) { size /= 1024; unit += 1; }
  return `${size.toFixed(unit === 0 || size >= 10 ? 0 : 1)} ${units[unit]}`;
}

function formatAmount(amount, currency) {
  if (currency === "XTR") return `⭐ ${amount}`;
  const exponent = CURRENCY_EXPONENTS[currency] ?? 2;
  const value = amount / 10 ** exponent;
  try {
    return new Intl.NumberFormat(undefined, {
      style: "currency", currency,
      minimumFractionDigits: exponent, maximumFractionDigits: exponent,
    }).format(value);
  } catch (err) {
    return `${value.toFixed(exponent)} ${currency}`;
  }
}

function formatTime(unixSeconds) {
  return new Date(unixSeconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function formatDuration(seconds) {
  const total = Math.max(0, Math.round(seconds || 0));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

function fileUrl(fileId) {
  return `/api/files/${encodeURIComponent(fileId)}`;
}

function safeUrl(url) {
  return /^(https?|tg):\/\//i.test(String(url || ""));
}

// --- people -----------------------------------------------------------------------------------

async function loadState() {
  const body = await api("/api/state");
  state.bot = body.bot;
  state.people = body.people;
  // A restarted emulator counts from 1 again; waiting past its last event would wait forever.
  if (!state.lastSeq || body.last_seq < state.lastSeq) state.lastSeq = body.last_seq;
  $("bot-name").textContent = state.bot.first_name;
  // Never silently: a chat without Telegram's limits behaves unlike the real thing.
  $("limits-off").hidden = body.limits !== false;
  $("bot-avatar").textContent = initials(state.bot.first_name);
  document.title = body.title;  // as the emulator's starter named it
  setStatus();
  renderPeople();
}

function renderPeople() {
  const list = $("people-list");
  list.replaceChildren(...state.people.map((person) => {
    const chosen = state.person && state.person.id === person.id;
    const details = [person.username ? `@${person.username}` : null, person.language_code]
      .filter(Boolean).join(" · ");
    return el("li", {},
      el("button", {
        type: "button", class: "person", "aria-current": chosen ? "true" : false,
        "data-person-id": person.id, onclick: () => choosePerson(person.id),
      },
      el("span", { class: "avatar small", "aria-hidden": "true", text: initials(person.first_name) }),
      el("span", { class: "person-text" },
        el("span", { class: "person-name", text: displayName(person) }),
        el("span", { class: "person-details", text: details || `id ${person.id}` }))));
  }));
  if (!state.people.length) {
    list.append(el("li", { class: "people-empty", text: "Nobody yet — create someone below." }));
  }
}

async function createPerson(event) {
  event.preventDefault();
  const form = event.target;
  const data = Object.fromEntries(new FormData(form).entries());
  const person = await act("Couldn't create the person", () => api("/api/people", {
    method: "POST",
    json: {
      first_name: data.first_name.trim(),
      username: data.username.trim().replace(/^@/, "") || null,
      language_code: data.language_code.trim() || "en",
    },
  }));
  if (!person) return;
  form.reset();
  state.people.push({ ...person, blocked: false });
  await choosePerson(person.id);
}

async function choosePerson(id) {
  const person = state.people.find((p) => p.id === Number(id));
  if (!person) return;
  state.person = person;
  state.dismissedKeyboard = null;
  cancelReply();
  localStorage.setItem(STORAGE_KEY, String(person.id));
  renderPeople();
  $("me").hidden = false;
  $("me-name").textContent = displayName(person);
  for (const id of ["text", "send", "attach", "block-toggle"]) $(id).disabled = false;
  renderBlocked();
  openPeople(false);
  await loadTranscript();
  $("text").focus();
}

async function loadTranscript() {
  const person = state.person;
  state.loading = [];
  const messages = await act("Couldn't load the chat", () => api(`/api/people/${person.id}/transcript`));
  if (state.person !== person) return;  // another person was chosen meanwhile
  const arrived = state.loading || [];
  state.loading = null;
  state.messages = new Map((messages || []).map((m) => [m.message_id, m]));
  for (const event of arrived) applyEvent(event, { render: false });
  renderAll();
}

function openPeople(open) {
  document.body.classList.toggle("people-open", open);
  $("open-people").setAttribute("aria-expanded", String(open));
  if (open) $("new-first-name").focus();
}

// --- the conversation -------------------------------------------------------------------------

function renderAll() {
  const list = $("messages");
  const sorted = [...state.messages.values()].sort((a, b) => a.message_id - b.message_id);
  list.replaceChildren(...sorted.map(renderMessage));
  if (!sorted.length) {
    list.append(el("p", { class: "empty", text: "No messages here yet. Say /start to the bot." }));
  }
  renderReplyKeyboard();
  scrollToBottom(true);
}

function upsertMessage(message) {
  const list = $("messages");
  const stick = nearBottom();
  const node = renderMessage(message);
  const existing = list.querySelector(`[data-message-id="${message.message_id}"]`);
  list.querySelector(".empty")?.remove();
  if (existing) {
    existing.replaceWith(node);
  } else {
    const after = [...list.querySelectorAll("[data-message-id]")]
      .find((other) => Number(other.dataset.messageId) > message.message_id);
    list.insertBefore(node, after || null);
  }
  renderReplyKeyboard();
  scrollToBottom(stick);
}

function removeMessage(messageId) {
  $("messages").querySelector(`[data-message-id="${messageId}"]`)?.remove();
  if (state.replyTo && state.replyTo.message_id === messageId) cancelReply();
  renderReplyKeyboard();
}

function nearBottom() {
  const list = $("messages");
  return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
}

function scrollToBottom(really) {
  if (!really) return;
  const list = $("messages");
  requestAnimationFrame(() => { list.scrollTop = list.scrollHeight; });
}

function renderMessage(message) {
  const fromBot = Boolean(message.from && message.from.is_bot);
  if (message.successful_payment) return renderServiceMessage(message);
  const bubble = el("div", { class: "bubble" },
    renderQuote(message.reply_to_message),
    renderMedia(message),
    renderInvoice(message),
    renderContact(message.contact),
    renderText(message),
    el("span", { class: "meta" },
      message.edit_date ? el("span", { class: "edited", text: "edited" }) : null,
      el("time", { text: formatTime(message.date) })));
  const media = message.photo || message.video || message.animation;
  if (media && !message.caption) bubble.classList.add("media-only");
  if (message.video_note) bubble.classList.add("round");  // a video message has no bubble
  // As in Telegram Desktop, a double click on a message replies to it.
  bubble.addEventListener("dblclick", () => startReply(message));
  const reply = el("button", {
    type: "button", class: "reply-action", "aria-label": "Reply", title: "Reply", text: "↩",
    onclick: () => startReply(message),
  });
  return el("div", {
    class: `message ${fromBot ? "incoming" : "outgoing"}`, "data-message-id": message.message_id,
  }, bubble, renderInlineKeyboard(message), reply);
}

function renderServiceMessage(message) {
  const paid = message.successful_payment;
  const text = `You paid ${formatAmount(paid.total_amount, paid.currency)}`;
  return el("div", { class: "service", "data-message-id": message.message_id },
    el("span", { text }));
}

function renderText(message) {
  const plain = message.text ?? message.caption;
  if (plain === undefined || plain === null) {
    const known = message.photo || message.video || message.animation || message.voice ||
      message.video_note || message.document || message.invoice || message.contact;
    return known ? null : el("div", { class: "text unsupported", text: "Unsupported message" });
  }
  const node = el("div", { class: "text", dir: "auto" });
  if (typeof message.html === "string") node.innerHTML = message.html;  // escaped by the server
  else node.textContent = plain;
  for (const spoiler of node.querySelectorAll(".spoiler")) {
    spoiler.addEventListener("click", () => spoiler.classList.add("revealed"));
  }
  return node;
}

function renderQuote(original) {
  if (!original) return null;
  return el("button", {
    type: "button", class: "quote", title: "Show the message this replies to",
    onclick: () => showOriginal(original.message_id),
  },
  el("span", { class: "quote-name", text: original.from ? displayName(original.from) : "Message" }),
  el("span", { class: "quote-text", text: firstLine(original) }));
}

// A quote shows the first line of what it quotes, as Telegram's apps do.
function firstLine(message) {
  const text = message.text || message.caption;
  return text ? text.split("\n").find((line) => line.trim()) || text : quoteLabel(message);
}

function showOriginal(messageId) {
  const node = $("messages").querySelector(`[data-message-id="${messageId}"]`);
  if (!node) { toast("That message is no longer in the chat."); return; }
  node.scrollIntoView({ block: "center", behavior: "smooth" });
  node.classList.add("highlight");
  setTimeout(() => node.classList.remove("highlight"), 1500);
}

function quoteLabel(original) {
  if (original.photo) return "Photo";
  if (original.video) return "Video";
  if (original.animation) return "GIF";
  if (original.voice) return "Voice message";
  if (original.video_note) return "Video message";
  if (original.document) return original.document.file_name || "File";
  return "Message";
}

function renderMedia(message) {
  if (message.photo && message.photo.length) {
    const largest = message.photo.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    const url = fileUrl(largest.file_id);
    return el("a", { class: "photo", href: url, target: "_blank", rel: "noopener" },
      el("img", {
        src: url, alt: message.caption ? `Photo: ${message.caption}` : "Photo",
        width: largest.width, height: largest.height, loading: "lazy",
      }));
  }
  if (message.video) {
    return el("video", {
      class: "video", src: fileUrl(message.video.file_id), controls: true, preload: "metadata",
      "aria-label": "Video",
    });
  }
  // An animation also carries `document` (for old apps); show it as the GIF it is.
  if (message.animation) return renderAnimation(message.animation);
  if (message.voice) return renderVoice(message.voice);
  if (message.video_note) return renderVideoNote(message.video_note);
  if (message.document) return renderDocument(message.document);
  return null;
}

function renderAnimation(animation) {
  if (animation.mime_type === "image/gif") {
    // Telegram turns GIFs into MP4 clips; the emulator keeps the GIF, which only <img> plays.
    return el("img", {
      class: "animation", src: fileUrl(animation.file_id), alt: "GIF",
      width: animation.width || null, height: animation.height || null,
    });
  }
  const video = el("video", {
    class: "animation", src: fileUrl(animation.file_id), autoplay: true, loop: true,
    playsinline: true, preload: "auto", "aria-label": "GIF",
  });
  video.muted = true;  // the attribute alone does not mute an element made by script
  return video;
}

function renderVoice(voice) {
  // The player shows the length itself once the file's metadata has loaded.
  return el("audio", {
    class: "voice", src: fileUrl(voice.file_id), controls: true, preload: "metadata",
    "aria-label": `Voice message, ${formatDuration(voice.duration)}`,
  });
}

function renderVideoNote(note) {
  const duration = formatDuration(note.duration);
  const video = el("video", {
    class: "video-note", src: fileUrl(note.file_id), preload: "metadata", playsinline: true,
    tabindex: "0", role: "button", "aria-label": `Video message, ${duration}. Play or pause`,
  });
  // Like Telegram: no controls on the circle, a tap plays it with sound and pauses it.
  const toggle = () => (video.paused ? video.play().catch(() => null) : video.pause());
  video.addEventListener("click", toggle);
  video.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(); }
  });
  return el("div", { class: "video-note-holder" }, video,
    el("span", { class: "video-note-duration", text: duration }));
}

function renderDocument(document_) {
  const name = document_.file_name || "file";
  return el("a", {
    class: "document", href: fileUrl(document_.file_id), download: name,
    "aria-label": `Download ${name}, ${formatSize(document_.file_size)}`,
  },
  el("span", { class: "document-icon", "aria-hidden": "true", text: "📄" }),
  el("span", { class: "document-text" },
    el("span", { class: "document-name", text: name }),
    el("span", { class: "document-size", text: formatSize(document_.file_size) })));
}

function renderContact(contact) {
  if (!contact) return null;
  return el("div", { class: "contact" },
    el("span", { class: "avatar small", "aria-hidden": "true", text: initials(contact.first_name) }),
    el("span", { class: "contact-text" },
      el("span", { class: "contact-name", text: displayName(contact) }),
      el("span", { class: "contact-phone", text: contact.phone_number })));
}

function renderInvoice(message) {
  const invoice = message.invoice;
  if (!invoice) return null;
  const buttons = (message.reply_markup && message.reply_markup.inline_keyboard) || [];
  const hasPayButton = buttons.some((row) => row.some((button) => button.pay));
  const amount = formatAmount(invoice.total_amount, invoice.currency);
  return el("div", { class: "invoice" },
    el("strong", { class: "invoice-title", text: invoice.title }),
    el("p", { class: "invoice-description", text: invoice.description }),
    el("p", { class: "invoice-amount", text: amount }),
    hasPayButton ? null : el("button", {
      type: "button", class: "primary pay", text: `Pay ${amount}`,
      onclick: (event) => pay(message, event.currentTarget),
    }));
}

function renderInlineKeyboard(message) {
  const rows = (message.reply_markup && message.reply_markup.inline_keyboard) ||
    (message.client_markup && message.client_markup.inline_keyboard);
  if (!rows || !rows.length) return null;
  return el("div", { class: "inline-keyboard", role: "group", "aria-label": "Message buttons" },
    ...rows.map((row) => el("div", { class: "keyboard-row" }, ...row.map((button) => el("button", {
      type: "button", class: button.url ? "inline-button link" : "inline-button",
      text: button.text, onclick: (event) => pressInline(message, button, event.currentTarget),
    })))));
}

// --- reply keyboard ---------------------------------------------------------------------------

function currentReplyKeyboard() {
  const newestFirst = [...state.messages.values()].sort((a, b) => b.message_id - a.message_id);
  for (const message of newestFirst) {
    const markup = message.from && message.from.is_bot ? message.client_markup : null;
    if (!markup) continue;
    if (markup.remove_keyboard) return null;
    if (markup.keyboard) return { message, markup };
  }
  return null;
}

function renderReplyKeyboard() {
  const holder = $("reply-keyboard");
  const current = currentReplyKeyboard();
  const shown = current && current.message.message_id !== state.dismissedKeyboard;
  holder.hidden = !shown;
  $("text").placeholder = (shown && current.markup.input_field_placeholder) || "Message";
  if (!shown) { holder.replaceChildren(); return; }
  holder.replaceChildren(...current.markup.keyboard.map((row) => el("div", { class: "keyboard-row" },
    ...row.map((button) => el("button", {
      type: "button", class: "reply-button",
      text: button.request_contact ? `📱 ${button.text}` : button.text,
      onclick: () => pressReply(current, button),
    })))));
}

async function pressReply({ message, markup }, button) {
  if (markup.one_time_keyboard) {
    state.dismissedKeyboard = message.message_id;
    renderReplyKeyboard();
  }
  if (button.request_contact) {
    const ok = await act("Couldn't share your contact", () => api(personPath("contact"), { method: "POST", json: {} }));
    if (ok) markUnblocked();
    return;
  }
  if (button.request_location) {
    await shareLocation();
    return;
  }
  const unsupported = ["request_poll", "request_users", "request_chat",
    "web_app"].find((kind) => button[kind]);
  if (unsupported) {
    toast("This kind of button isn't available in the web chat.", "error");
    return;
  }
  const ok = await act("Couldn't send", () => api(personPath("press"), {
    method: "POST", json: { message_id: message.message_id, label: button.text },
  }));
  if (ok) markUnblocked();
}

// --- what the person does ---------------------------------------------------------------------

// A request_location button: the browser's own position, if the person allows it.
async function shareLocation() {
  if (!navigator.geolocation) { toast("This browser can't share a location.", "error"); return; }
  const position = await new Promise((resolve) => navigator.geolocation.getCurrentPosition(
    resolve, () => resolve(null), { timeout: 10000 }));
  if (!position) { toast("The location wasn't shared.", "error"); return; }
  const { latitude, longitude } = position.coords;
  const ok = await act("Couldn't share your location", () => api(personPath("location"), {
    method: "POST", json: { latitude, longitude },
  }));
  if (ok) markUnblocked();
}

async function pressInline(message, button, node) {
  if (button.url) {
    if (safeUrl(button.url)) window.open(button.url, "_blank", "noopener,noreferrer");
    else toast("That link can't be opened.", "error");
    return;
  }
  if (button.pay) { await pay(message, node); return; }
  if (button.copy_text) {
    await navigator.clipboard?.writeText(button.copy_text.text).catch(() => null);
    toast("Copied to the clipboard.");
    return;
  }
  if (button.callback_data === undefined) {
    toast("This kind of button isn't available in the web chat.", "error");
    return;
  }
  node.classList.add("pending");
  await act("The button didn't work", () => api(personPath("press"), {
    method: "POST", json: { message_id: message.message_id, label: button.text },
  }));
  setTimeout(() => node.classList.remove("pending"), 600);
}

async function pay(message, node) {
  const label = node.textContent;
  node.disabled = true;
  node.textContent = "Paying…";
  // A refusal by the bot arrives as a payment_failed event, which shows its own toast.
  await act("The payment didn't go through", () => api(personPath("pay"), {
    method: "POST", json: { message_id: message.message_id },
  }));
  node.disabled = false;
  node.textContent = label;
}

async function sendText(event) {
  event.preventDefault();
  const input = $("text");
  const text = input.value;
  if (!text.trim() || !state.person) return;
  input.value = "";
  resizeInput();
  const json = { text, reply_to_message_id: state.replyTo ? state.replyTo.message_id : null };
  const sent = await act("Couldn't send", () => api(personPath("send"), { method: "POST", json }));
  if (sent) {
    markUnblocked();
    cancelReply();
  } else if (!input.value) { input.value = text; resizeInput(); }
}

// --- replying ---------------------------------------------------------------------------------

function startReply(message) {
  if (!state.person) return;
  state.replyTo = message;
  const who = message.from ? displayName(message.from) : "Message";
  $("replying-name").textContent = `Replying to ${who}`;
  $("replying-text").textContent = firstLine(message);
  $("replying").hidden = false;
  $("text").focus();
}

function cancelReply() {
  state.replyTo = null;
  $("replying").hidden = true;
}

async function uploadFile() {
  const picker = $("file-input");
  const file = picker.files && picker.files[0];
  picker.value = "";
  if (!file || !state.person) return;
  const form = new FormData();
  form.append("file", file, file.name);
  const caption = $("text").value.trim();
  if (caption) form.append("caption", caption);
  if (state.replyTo) form.append("reply_to_message_id", String(state.replyTo.message_id));
  $("attach").disabled = true;
  const sent = await act(`Couldn't upload ${file.name}`, () => api(personPath("upload"), { method: "POST", form }));
  $("attach").disabled = false;
  if (sent) {
    markUnblocked();
    cancelReply();
    if (caption) { $("text").value = ""; resizeInput(); }
  }
}

async function toggleBlock() {
  const blocked = !state.person.blocked;
  const body = await act("Couldn't change the block", () => api(personPath("block"), {
    method: "POST", json: { blocked },
  }));
  if (!body) return;
  state.person.blocked = blocked;
  renderBlocked();
  toast(blocked ? "You blocked the bot. Writing to it again unblocks it." : "You unblocked the bot.");
}

// --- the 📎 menu: a file, or a contact card from the people here (the address book) ----------

function openAttachMenu(items) {
  const menu = $("attach-menu");
  menu.replaceChildren(...items.map(([label, choose]) => el("button", {
    type: "button", role: "menuitem", text: label,
    onclick: () => { closeAttachMenu(); choose(); },
  })));
  menu.hidden = false;
  menu.querySelector("button").focus();
}

function closeAttachMenu() {
  $("attach-menu").hidden = true;
}

function toggleAttachMenu() {
  if (!$("attach-menu").hidden) { closeAttachMenu(); return; }
  openAttachMenu([
    ["📄 Photo, video or file", () => $("file-input").click()],
    ["👤 Contact", chooseContact],
  ]);
}

function chooseContact() {
  const others = state.people.filter((p) => p.id !== state.person.id);
  if (!others.length) {
    toast("Create another person first: their card is what you attach.", "error");
    return;
  }
  openAttachMenu(others.map((person) => [`👤 ${displayName(person)}`, () => sendContactCard(person)]));
}

// Another person's card, as a Telegram app attaches one from the address book.
async function sendContactCard(person) {
  const sent = await act(`Couldn't send ${displayName(person)}'s contact`, () =>
    api(personPath("contact"), { method: "POST", json: { person_id: person.id } }));
  if (sent) markUnblocked();
}

function markUnblocked() {
  if (state.person && state.person.blocked) {
    state.person.blocked = false;  // writing to a bot restarts it, as in Telegram
    renderBlocked();
  }
}

function renderBlocked() {
  const blocked = Boolean(state.person && state.person.blocked);
  const button = $("block-toggle");
  button.setAttribute("aria-pressed", String(blocked));
  button.textContent = blocked ? "Unblock bot" : "Block bot";
  document.body.classList.toggle("blocked", blocked);
}

function resizeInput() {
  const input = $("text");
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}

// --- live updates -----------------------------------------------------------------------------

function setStatus(text) {
  const status = $("bot-status");
  status.textContent = text || (state.bot ? `@${state.bot.username} · bot` : "bot");
  status.classList.toggle("active", Boolean(text));
}

function showAction(action) {
  setStatus(ACTIONS[action] || `${action.replaceAll("_", " ")}…`);
  clearTimeout(state.typingTimer);
  state.typingTimer = setTimeout(() => setStatus(), TYPING_MS);
}

function applyEvent(event, { render = true } = {}) {
  const data = event.data;
  switch (event.kind) {
    case "message":
    case "edit":
      state.messages.set(data.message_id, data);
      if (data.from && data.from.is_bot && event.kind === "message") {
        clearTimeout(state.typingTimer);
        setStatus();
      }
      if (render) upsertMessage(data);
      break;
    case "delete":
      state.messages.delete(data.message_id);
      if (render) removeMessage(data.message_id);
      break;
    case "callback_answer":
      if (!render || !data.text) break;
      if (data.show_alert) showAlert(state.bot.first_name, data.text);
      else toast(data.text);
      break;
    case "chat_action":
      if (render) showAction(data.action);
      break;
    case "payment_failed":
      if (render) toast(`Payment failed: ${data.error || "the bot refused the order"}`, "error");
      break;
    case "refund":
      if (render) toast(`The bot refunded ${formatAmount(data.total_amount, data.currency)}.`);
      break;
    default:
      break;
  }
}

function receive(event) {
  if (event.chat_id > 0 && !state.refreshing && !state.people.some((p) => p.id === event.chat_id)) {
    // Someone created outside this page (a script, another tab): list them too.
    state.refreshing = loadState().catch(() => null).finally(() => { state.refreshing = null; });
  }
  if (!state.person || event.chat_id !== state.person.id) return;
  if (state.loading) state.loading.push(event);
  else applyEvent(event);
}

async function pollEvents() {
  let failures = 0;
  for (;;) {
    try {
      const body = await api(`/api/events?after=${state.lastSeq}&timeout=${POLL_TIMEOUT_S}`);
      if (failures) await reconnected();
      failures = 0;
      for (const event of body.events) {
        state.lastSeq = Math.max(state.lastSeq, event.seq);
        receive(event);
      }
    } catch (err) {
      failures += 1;
      if (failures === 1) toast("Lost the connection to the emulator; retrying…", "error");
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * failures, 5000)));
    }
  }
}

async function reconnected() {
  toast("Connected to the emulator again.");
  await loadState().catch(() => null);
  if (state.person) await loadTranscript();
}

// --- start ------------------------------------------------------------------------------------

function wire() {
  $("new-person").addEventListener("submit", createPerson);
  $("composer").addEventListener("submit", sendText);
  $("text").addEventListener("input", resizeInput);
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    } else if (event.key === "Escape" && state.replyTo) {
      cancelReply();
    }
  });
  $("cancel-reply").addEventListener("click", () => { cancelReply(); $("text").focus(); });
  $("attach").addEventListener("click", toggleAttachMenu);
  $("attach-menu").addEventListener("keydown", (event) => {
    if (event.key === "Escape") { closeAttachMenu(); $("attach").focus(); }
  });
  document.addEventListener("click", (event) => {
    // The path as dispatched: a pressed menu item may be gone from the page by now.
    const inside = event.composedPath().some((node) => ["attach", "attach-menu"].includes(node.id));
    if (!inside) closeAttachMenu();
  });
  $("file-input").addEventListener("change", uploadFile);
  $("block-toggle").addEventListener("click", toggleBlock);
  $("open-people").addEventListener("click", () => openPeople(true));
  $("close-people").addEventListener("click", () => openPeople(false));
}

async function start() {
  wire();
  try {
    await loadState();
  } catch (err) {
    toast(`Couldn't reach the emulator: ${politely(err.message)}`, "error");
    return;
  }
  const wanted = new URLSearchParams(location.search).get("person") ||
    localStorage.getItem(STORAGE_KEY);
  if (wanted && state.people.some((p) => p.id === Number(wanted))) await choosePerson(wanted);
  else openPeople(window.matchMedia("(max-width: 720px)").matches);
  pollEvents();
}

document.addEventListener("DOMContentLoaded", start);
