"""How the web chat is opened in Debian's headless Chromium (browser tests, screenshots).

Never a downloaded browser: this workplace and CI install Debian's `chromium` package.
"""

CHROMIUM = "/usr/bin/chromium"
# Headless, sandbox-free as root, and quiet: no background calls to Google's services, which
# an offline machine refuses by the dozen.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
