"""/mydata for a person with 10,000 metrics and 20 videos, then their erasure, then a search
of every table with personal columns for anything left about them.

A parent (phone, email, date of birth, @username) and the child only they guard (medical notes,
emergency contact) with 10,000 values over three years, 20 videos of 1 MB (each with a
thumbnail and a rendition in storage), sessions past and ahead with payments, audit entries.
`/mydata` is sent through the emulator (in this process) to the real application and timed
until the ZIP arrives. Then the person's /deleteme is made due and the erasure job runs once.
Then every table is searched as text for their names, email, @username, Telegram id and
medical note, and the personal columns of their rows, metrics, videos, links, notices and
audit details are counted; files left in storage are counted too.

Last line: {"export_s", "personal_rows_after_erase", ...}. Targets: export <= 10 s, 0 rows.
"""

from __future__ import annotations

import argparse
import io
import shutil
import tempfile
import time
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from _common import bot_services, run_benchmark
from sqlalchemy import func, or_, select, text

from bot.app import build_application
from bot.runner import BOT_NAME
from bot.wiring import Services
from domain.actors import actor_for_user
from domain.adapters.storage import processed_video_key, raw_video_key, video_thumbnail_key
from domain.models import (
    Athlete,
    AuditEntry,
    Base,
    Coach,
    ErasureRequest,
    Notification,
    Payment,
    PerformanceMetric,
    TrainingSession,
    User,
    VideoAnalysis,
)
from domain.privacy.erasure import erase_due
from domain.privacy.export import export_my_data
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser

METRICS = 10_000
VIDEOS = 20
VIDEO_BYTES = 1024 * 1024
MARKERS = ("Zephyrine", "Quillfeather", "Octavian", "zq@example.org", "zephyq", "peanut")


async def populate(services: Services, telegram_id: int) -> tuple[uuid.UUID, uuid.UUID]:
    """The parent, their child, a coach, sessions, payments, metrics, videos; their ids."""
    box, now = services.secrets, datetime.now(UTC)
    async with services.uow as tx:
        parent = tx.users.add(
            User(role="parent", first_name="Zephyrine", last_name="Quillfeather",
                 email="zq@example.org", telegram_user_id=telegram_id, telegram_chat_id=telegram_id,
                 telegram_username="zephyq", phone_number=box.encrypt("+34600123456"),
                 phone_number_index=box.blind_index("600123456"),
                 date_of_birth_encrypted=box.encrypt("1985-04-03"), onboarded_at=now)
        )  # fmt: skip
        child_user = tx.users.add(User(role="athlete", first_name="Octavian", last_name="Q"))
        coach_user = tx.users.add(User(role="coach", first_name="Cora", telegram_user_id=1))
        await tx.flush()
        child = tx.athletes.add(
            Athlete(user_id=child_user.id, parent_id=parent.id, primary_sport="tennis",
                    medical_conditions=box.encrypt("peanut allergy"),
                    emergency_contact_name=box.encrypt("Zephyrine Quillfeather"),
                    emergency_contact_phone=box.encrypt("+34600123456"), height_cm=150)
        )  # fmt: skip
        coach = tx.coaches.add(Coach(user_id=coach_user.id, specializations=["tennis"]))
        await tx.flush()
        for days in (-30, -20, -10, 12, 20):
            start = (now + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
            session = tx.sessions.add(
                TrainingSession(coach_id=coach.id, athlete_id=child.id, session_type="individual",
                                start_time=start, end_time=start + timedelta(hours=1),
                                booked_by=parent.id, notes="Octavian's knee", price=Decimal(40))
            )  # fmt: skip
            await tx.flush()
            if days < 0:
                tx.payments.add(
                    Payment(payer_id=parent.id, recipient_id=coach_user.id, amount=Decimal(40),
                            currency="EUR", status="completed", payment_type="session",
                            session_id=session.id, transaction_id=f"tg-{session.id}")
                )  # fmt: skip
        tx.audit.record(actor_id=parent.id, action="profile.edited", entity="user",
                        entity_id=parent.id, details={"telegram_user_id": telegram_id})  # fmt: skip
        await tx.commit()
    await add_metrics(services, child.id, parent.id, now)
    await add_videos(services, child.id, parent.id)
    return parent.id, child.id


async def add_metrics(services: Services, athlete_id: uuid.UUID, by: uuid.UUID, now: datetime):
    async with services.uow as tx:
        for n in range(METRICS):
            value = Decimal("5.0") + Decimal(n % 100) / 100
            tx.metrics.add(
                PerformanceMetric(athlete_id=athlete_id, metric_type="sprint_40m",
                                  value={"value": str(value), "unit": "s"}, metric_value=value,
                                  unit="s", recorded_by=by, notes="Octavian, windy",
                                  recorded_at=now - timedelta(hours=2 * n + 1))
            )  # fmt: skip
        await tx.commit()


async def add_videos(services: Services, athlete_id: uuid.UUID, by: uuid.UUID) -> None:
    clip = b"\x00\x00\x00\x18ftypmp42" + bytes(VIDEO_BYTES - 12)
    async with services.uow as tx:
        for n in range(VIDEOS):
            video_id = uuid.uuid4()
            raw = raw_video_key(by, video_id, "clip.mp4")
            thumb = video_thumbnail_key(by, video_id, "thumb.jpg")
            web = processed_video_key(by, video_id, "web.mp4")
            for key, data in ((raw, clip), (thumb, b"\xff\xd8jpeg"), (web, clip[:4096])):
                await services.storage.put(key, data, content_type="application/octet-stream")
            tx.session.add(
                VideoAnalysis(id=video_id, athlete_id=athlete_id, video_url=raw,
                              thumbnail_url=thumb, processed_url=web, uploaded_by=by,
                              status="analyzed", coach_feedback=f"Octavian, video {n}")
            )  # fmt: skip
        await tx.commit()


async def export_through_the_chat(
    services: Services, settings: Any, emulator: Emulator, person: EmulatedUser
) -> tuple[float, int]:
    """Seconds from /mydata to the ZIP in the chat, and the ZIP's size."""
    application = build_application(
        settings, services, base_url=emulator.base_url, base_file_url=emulator.base_file_url,
        token=emulator.token,
    )  # fmt: skip
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            began = time.perf_counter()
            await person.send("/mydata")
            sent = await person.expect("message", contains="📦 Your data", timeout=120)
            took = time.perf_counter() - began
        finally:
            await application.updater.stop()
            await application.stop()
    data = emulator.world.files[sent["document"]["file_id"]].path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        metrics_lines = archive.read("metrics.csv").count(b"\r\n") - 1
    videos = sum(1 for name in names if name.startswith("videos/"))
    print(f"/mydata: {took:.2f} s, {len(data) / 1e6:.1f} MB, {metrics_lines} metric rows, "
          f"{videos} videos inside", flush=True)  # fmt: skip
    return took, len(data)


async def export_alone(services: Services, user_id: uuid.UUID) -> float:
    """Seconds the domain takes to build the same ZIP (no chat, no upload): the breakdown."""
    async with services.uow as tx:
        actor = await actor_for_user(tx, await tx.users.get(user_id))
    began = time.perf_counter()
    export = await export_my_data(
        services.uow, actor=actor, storage=services.storage, box=services.secrets,
        now=datetime.now(UTC),
    )  # fmt: skip
    took = time.perf_counter() - began
    shutil.rmtree(export.path.parent)
    print(f"the ZIP alone: {took:.2f} s", flush=True)
    return took


async def leftovers(
    services: Services, user_id: uuid.UUID, athlete_id: uuid.UUID
) -> dict[str, int]:
    """Rows still holding anything about the person, by where they were found."""
    found: dict[str, int] = {}
    async with services.uow as tx:
        for table in Base.metadata.sorted_tables:
            matches = " OR ".join(f"t::text ILIKE '%{marker}%'" for marker in MARKERS)
            count = await tx.session.scalar(
                text(f"SELECT count(*) FROM {table.name} t WHERE {matches}")
            )
            if count:
                found[f"text in {table.name}"] = count
        people = select(Athlete.user_id).where(Athlete.id == athlete_id)
        ids = [user_id, *(await tx.session.scalars(people))]
        checks = {
            "users personal columns": select(func.count()).select_from(User).where(
                User.id.in_(ids),
                or_(User.email.is_not(None), User.phone_number.is_not(None),
                    User.phone_number_index.is_not(None), User.telegram_user_id.is_not(None),
                    User.telegram_username.is_not(None), User.date_of_birth_encrypted.is_not(None),
                    User.profile_image_url.is_not(None)),
            ),
            "athletes personal columns": select(func.count()).select_from(Athlete).where(
                Athlete.id == athlete_id,
                or_(Athlete.medical_conditions.is_not(None), Athlete.height_cm.is_not(None),
                    Athlete.emergency_contact_name.is_not(None),
                    Athlete.emergency_contact_phone.is_not(None)),
            ),
            "metrics": select(func.count()).select_from(PerformanceMetric).where(
                or_(PerformanceMetric.athlete_id == athlete_id,
                    PerformanceMetric.recorded_by.in_(ids))
            ),
            "videos": select(func.count()).select_from(VideoAnalysis).where(
                or_(VideoAnalysis.athlete_id == athlete_id, VideoAnalysis.uploaded_by.in_(ids))
            ),
            "session notes": select(func.count()).select_from(TrainingSession).where(
                TrainingSession.athlete_id == athlete_id, TrainingSession.notes.is_not(None)
            ),
            "notifications": select(func.count()).select_from(Notification).where(
                Notification.recipient_id.in_(ids)
            ),
            "audit details": select(func.count()).select_from(AuditEntry).where(
                or_(AuditEntry.actor_id.in_(ids), AuditEntry.entity_id.in_([*ids, athlete_id])),
                AuditEntry.details != {"erased": True},
                AuditEntry.action != "privacy.erased",
            ),
        }  # fmt: skip
        for name, query in checks.items():
            if count := await tx.session.scalar(query):
                found[name] = count
    return found


async def run(args: argparse.Namespace, url: str, prefix: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sc-bench-privacy-") as tmp:
        media = Path(tmp) / "media"
        env = {"STORAGE_BACKEND": "local", "MEDIA_DIR": str(media), "EMULATOR_LIMITS": "false"}
        async with bot_services(url, prefix, **env) as (settings, services):
            async with Emulator(limits=False, bot_name=BOT_NAME) as emulator:
                person = emulator.user("Zephyrine")
                began = time.perf_counter()
                user_id, athlete_id = await populate(services, person.id)
                print(f"populated in {time.perf_counter() - began:.1f} s", flush=True)
                export_s, zip_bytes = await export_through_the_chat(
                    services, settings, emulator, person
                )
                build_s = await export_alone(services, user_id)
            now = datetime.now(UTC)
            async with services.uow as tx:
                tx.session.add(ErasureRequest(user_id=user_id, requested_at=now - timedelta(days=7),
                                              due_at=now - timedelta(minutes=1)))  # fmt: skip
                await tx.commit()
            began = time.perf_counter()
            erased = await erase_due(
                services.uow, storage=services.storage, refund=services.cancellation_refund,
                slots=services.slots, now=now,
            )  # fmt: skip
            erase_s = time.perf_counter() - began
            left = await leftovers(services, user_id, athlete_id)
            files_left = sum(1 for path in media.rglob("*") if path.is_file())
    print(f"erased {len(erased)} in {erase_s:.2f} s; left: {left or 'nothing'}; "
          f"files left in storage: {files_left}", flush=True)  # fmt: skip
    return {
        "export_s": round(export_s, 2),
        "zip_build_s": round(build_s, 2),
        "zip_mb": round(zip_bytes / 1e6, 1),
        "erase_s": round(erase_s, 2),
        "files_left": files_left,
        "sessions_cancelled": erased[0].sessions_cancelled if erased else 0,
        "personal_rows_after_erase": sum(left.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    run_benchmark(run, parser.parse_args())


if __name__ == "__main__":
    main()
