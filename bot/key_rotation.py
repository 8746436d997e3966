"""`sportscenter rotate-keys`: re-encrypt what is stored under the newest data key."""

from __future__ import annotations

import sys

from bot.settings import Settings
from bot.wiring import build_services
from domain.people.key_rotation import rotate_encrypted_fields


async def rotate_keys(settings: Settings) -> int:
    """Rotate every encrypted column; 1 if some value no configured key opens was found."""
    if not settings.data_encryption_key:
        print(
            "sportscenter: rotate-keys needs DATA_ENCRYPTION_KEY (the new key first, then the "
            "old ones)",
            file=sys.stderr,
        )
        return 2
    services = build_services(settings)
    try:
        report = await rotate_encrypted_fields(services.uow, services.secrets)
    finally:
        await services.close()
    print(f"re-encrypted {report.rotated} stored values under the first key")
    for where, count in sorted(report.undecryptable.items()):
        print(
            f"{where}: {count} values no configured key opens (left as they are)", file=sys.stderr
        )
    if report.undecryptable:
        print("keep the old keys until those are resolved", file=sys.stderr)
    return 1 if report.undecryptable else 0
