"""Demo feedback (PAKN) and satisfaction ratings, made by driving the real feedback services at
simulated moments, so indicators 5.1–5.4 are computed from the same facts as real ones.

Feedback storylines: handled on time and published, late, refused, forwarded to the district's
department, published and disliked, the sender unsatisfied and raising it again, waiting for
information, and still open (some overdue). Ratings: most dossiers with a result, a few dislikes."""

import random
from datetime import datetime, timedelta

from motcua.core.errors import DomainError
from motcua.dossiers.models import Dossier, State
from motcua.feedback import services
from motcua.feedback.models import Feedback, FeedbackCategory, FeedbackChannel, RatingChannel
from motcua.feedback.selectors import rating_criteria
from motcua.notifications.services import notifications_paused
from motcua.units.models import Membership, Role, Unit
from motcua.workcalendar.selectors import calendar_get

STORYLINES = (
    ("on_time", 0.35),
    ("late", 0.1),
    ("refused", 0.1),
    ("forwarded", 0.1),
    ("disliked", 0.1),
    ("raised_again", 0.07),
    ("info_requested", 0.05),
    ("open", 0.13),
)

CONTENTS = (
    "Đề nghị niêm yết rõ hơn thành phần hồ sơ của thủ tục này.",
    "Cán bộ tiếp nhận hướng dẫn chưa đầy đủ, tôi phải đi lại nhiều lần.",
    "Hồ sơ của tôi quá hạn nhưng chưa nhận được thông báo xin lỗi.",
    "Đề nghị cho phép nộp bản sao điện tử thay cho bản sao chứng thực.",
    "Giờ làm việc của Bộ phận Một cửa không đúng như niêm yết.",
)
NAMES = ("Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em")


def _member(unit: Unit, role: str):
    """A staff member holding `role` in the unit or above it."""
    paths = [unit.path[: i + 1] for i, c in enumerate(unit.path) if c == "/"]
    membership = (
        Membership.objects.filter(active=True, role=role, unit__path__in=paths)
        .select_related("user", "unit")
        .order_by("-unit__depth", "pk")
        .first()
    )
    return membership.user if membership else None


def _story(
    kind: str,
    item: Feedback,
    *,
    rng: random.Random,
    now: datetime,
    target: Unit | None,
    classify: bool = True,
):
    calendar = calendar_get(unit=item.unit)
    processor = _member(item.unit, Role.PROCESSOR)
    leader = _member(item.unit, Role.LEADER)
    t = item.sent_at

    def after(days: float) -> datetime:
        return calendar.add_working_days(t, days)

    if kind == "open" and not classify:
        return  # not even classified yet (indicator 5.1 below 100 %)
    category = rng.choice(FeedbackCategory.values)
    services.feedback_classify(actor=processor, feedback=item, category=category, at=after(0.5))
    if kind == "open":
        return
    if kind == "refused":
        services.feedback_refuse(
            actor=processor,
            feedback=item,
            reason="Nội dung không thuộc phạm vi phản ánh về quy định hành chính.",
            at=after(rng.choice((1, 1.5, 3))),  # mostly within the two days
        )
        return
    if kind == "info_requested":
        services.feedback_request_info(
            actor=processor, feedback=item, question="Đề nghị cho biết mã hồ sơ.", at=after(2)
        )
        return
    if kind == "forwarded" and target is not None:
        t = after(1)
        item = services.feedback_forward(
            actor=leader, feedback=item, unit=target, note="Thuộc thẩm quyền phòng", at=t
        )
        processor, leader = _member(target, Role.PROCESSOR), _member(target, Role.LEADER)
        calendar = calendar_get(unit=target)
        if processor is None or leader is None:
            return
    handle = rng.uniform(16, 22) if kind == "late" else rng.uniform(3, 12)
    services.feedback_answer(
        actor=processor,
        feedback=item,
        answer="Cơ quan đã tiếp thu, kiểm tra và chấn chỉnh; cảm ơn Ông/Bà đã phản ánh.",
        at=after(handle - 1),
    )
    approved = after(handle)
    if approved > now:
        return
    item = services.feedback_approve(actor=leader, feedback=item, at=approved)
    published = calendar.add_working_days(approved, 1)
    if published > now:
        return
    item = services.feedback_publish(actor=processor, feedback=item, at=published)
    if kind == "disliked":
        for _ in range(rng.randint(3, 6)):
            services.feedback_react(feedback=item, like=False)
        services.feedback_react(feedback=item, like=True)
    else:
        for _ in range(rng.randint(0, 4)):
            services.feedback_react(feedback=item, like=True)
    verdict_at = published + timedelta(days=1)
    if verdict_at < now:
        services.feedback_verdict(feedback=item, satisfied=kind != "raised_again", at=verdict_at)
    if kind == "raised_again" and verdict_at + timedelta(days=1) < now:
        services.feedback_raise_again(
            feedback=item, reason="Câu trả lời chưa giải quyết được vướng mắc.", at=verdict_at
        )


def demo_feedback_generate(
    *, units: dict[str, Unit], communes: list[str], department: str, end: datetime, seed: int
) -> dict[str, int]:
    """Feedback to the communes (and one forwarded to `department`) over the year to `end`, and
    ratings of dossiers with a result. Skipped when the demo already has feedback."""
    rng = random.Random(seed + 15)
    scope = [units[c] for c in communes]
    if Feedback.objects.filter(unit__in=scope).exists():
        return {"feedback": 0, "ratings": 0}
    made = rated = 0
    kinds, weights = zip(*STORYLINES, strict=True)
    dossiers = list(
        Dossier.objects.filter(unit__in=scope, state__in=(State.RESOLVED, State.RETURNED))
        .select_related("unit")
        .order_by("pk")
    )
    with notifications_paused():
        count = max(len(kinds), len(dossiers) // 12)
        for number in range(count):
            # Every storyline at least once, the rest by weight.
            kind = kinds[number] if number < len(kinds) else rng.choices(kinds, weights)[0]
            dossier = rng.choice(dossiers) if dossiers and rng.random() < 0.6 else None
            unit = dossier.unit if dossier else rng.choice(scope)
            days_back = rng.randint(1, 20) if kind == "open" else rng.randint(30, 330)
            sent_at = calendar_get(unit=unit).next_working_moment(end - timedelta(days=days_back))
            try:
                item = services.feedback_receive(
                    name=rng.choice(NAMES),
                    phone=f"09{rng.randint(10_000_000, 99_999_999)}",
                    content=rng.choice(CONTENTS),
                    channel=rng.choice(FeedbackChannel.values[:2]),
                    unit=unit if dossier is None else None,
                    dossier=dossier,
                    actor=_member(unit, Role.DESK_OFFICER),
                    at=sent_at,
                )
                # The first open one (and half the others) is not classified yet.
                classify = number >= len(kinds) and rng.random() < 0.5
                _story(
                    kind, item, rng=rng, now=end, target=units.get(department), classify=classify
                )
            except DomainError:
                continue  # a storyline the unit's staff cannot play: keep the feedback as is
            made += 1
        criteria = [c.code for c in rating_criteria()]
        for dossier in dossiers:
            if not criteria or rng.random() > 0.45:
                continue
            base = rng.choices((5, 4, 3, 2, 1), (45, 30, 13, 8, 4))[0]
            scores = {c: max(1, min(5, base + rng.choice((0, 0, 0, -1, 1)))) for c in criteria}
            moment = (dossier.returned_at or dossier.ended_at or end) + timedelta(hours=1)
            services.rating_submit(
                dossier=dossier,
                scores=scores,
                channel=rng.choice(RatingChannel.values),
                at=min(moment, end),
            )
            rated += 1
    return {"feedback": made, "ratings": rated}
