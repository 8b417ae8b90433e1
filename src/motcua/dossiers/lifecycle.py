"""The dossier lifecycle: one row per action, the only statement of who may do what, when.

Every door reads this table — the services (`dossiers.services`) check an action's states, roles and
"still possible" rule here; the officers' pages and the REST API offer exactly the actions whose row
has a `slug`, under that slug; the timeline names events by `event_label`. Adding an action is adding
a row here and its service; a test walks the table through the API and the pages.

States are the national portal's TrangThaiHoSo codes (`models.State`). An action is checked in one of
two units: the one the dossier was filed with (desk work: acceptance, supplements received, the
result's return) or the one that holds it now (processing)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import State
from motcua.units.models import Role

RECEIVING_UNIT = "receiving"  # the role is checked in the unit the dossier was filed with
CURRENT_UNIT = "current"  # … or in the unit that holds the dossier now

OFFICER_ROLES = (Role.DESK_OFFICER, Role.PROCESSOR, Role.LEADER)

# The role of the dossier's current step, or a leader of the unit (who may always step in).
CURRENT_STEP_ROLE = None

Facts = Mapping[str, Any]  # a dossier's projected fields (a Dossier row or DossierState.fields)

BEFORE_RESULT = frozenset(
    {
        State.RECEIVED,
        State.PROCESSING,
        State.SUPPLEMENT_REQUESTED,
        State.FINANCIAL_OBLIGATION,
    }
)


@dataclass(frozen=True)
class Action:
    kind: str  # the event kind written to the log (DossierEvent.kind)
    name: Any  # what the action is, in Vietnamese ("Chuyển xử lý"); messages use it lower-cased
    event_label: Any  # the event as the timeline shows it
    from_states: frozenset[int] = frozenset()  # empty: the action creates the dossier
    to_state: int | None = None  # None: the state does not change
    roles: tuple[str, ...] | None = ()  # CURRENT_STEP_ROLE: the current step's role or a leader
    checked_at: str = CURRENT_UNIT
    slug: str = ""  # the REST API's `/actions/<slug>`; empty: no door on an existing dossier
    web_slug: str = ""  # the officer page's URL (`/ho-so/<code>/thao-tac/<web_slug>/`)
    label: Any = ""  # button text
    done: Any = ""  # the message after it succeeded
    inputs: tuple[str, ...] = ()  # the service's keyword arguments the doors pass on
    danger: bool = False  # ends or refuses the dossier: shown apart, confirmed
    applicant_allowed: bool = False  # the applicant (no officer account) may take it
    # None while the action is still possible on a dossier in a from-state; else why not
    # (machine code, Vietnamese message). Checked by the service and by what the pages offer.
    still_possible: Callable[[Facts], tuple[str, str] | None] | None = None

    def roles_for(self, facts: Facts) -> tuple[str, ...]:
        if self.roles is CURRENT_STEP_ROLE:
            return (_get(facts, "current_role") or Role.PROCESSOR, Role.LEADER)
        return self.roles

    def refusal(self, facts: Facts) -> tuple[str, str] | None:
        return self.still_possible(facts) if self.still_possible else None


def _get(facts: Facts | Any, name: str) -> Any:
    return facts[name] if isinstance(facts, Mapping) else getattr(facts, name)


def _apology_not_yet_given(facts: Facts) -> tuple[str, str] | None:
    # The rescheduling is allowed once (docs/domain.md §4).
    if _get(facts, "apology_count") >= 1:
        return (
            "apology_once",
            "Hồ sơ đã được hẹn lại ngày trả một lần; không được hẹn lại lần nữa.",
        )
    return None


def amount_owed(facts: Facts) -> int:
    """What the applicant still owes, in đồng: the procedure's fees (phí, lệ phí) and the financial
    obligations asked for, less what every door recorded as paid."""
    owed = _get(facts, "fee_amount") + _get(facts, "obligation_amount")
    return max(0, owed - _get(facts, "fee_paid_amount"))


def _fee_still_owed(facts: Facts) -> tuple[str, str] | None:
    if amount_owed(facts) <= 0:
        return ("fee_nothing_owed", "Hồ sơ không còn phí, lệ phí hay nghĩa vụ tài chính phải nộp.")
    return None


ACTIONS: tuple[Action, ...] = (
    # --- how a dossier comes to exist (no door on an existing dossier) ---
    Action(
        "submitted_online",
        _("Nộp hồ sơ trực tuyến"),
        _("Nộp hồ sơ trực tuyến"),
        to_state=State.SUBMITTED_ONLINE,
    ),
    Action("received", _("Tiếp nhận hồ sơ"), _("Tiếp nhận hồ sơ"), to_state=State.RECEIVED),
    Action("imported", _("Nhập dữ liệu hồ sơ"), _("Nhập dữ liệu từ hệ thống khác")),
    # --- the desk, on an online submission ---
    Action(
        "accepted",
        _("Tiếp nhận hồ sơ trực tuyến"),
        _("Tiếp nhận hồ sơ trực tuyến"),
        frozenset({State.SUBMITTED_ONLINE}),
        State.RECEIVED,
        (Role.DESK_OFFICER,),
        RECEIVING_UNIT,
        slug="accept",
        web_slug="tiep-nhan",
        label=_("Tiếp nhận hồ sơ trực tuyến"),
        done=_("Đã tiếp nhận hồ sơ."),
    ),
    Action(
        "not_accepted",
        _("Từ chối tiếp nhận"),
        _("Từ chối tiếp nhận"),
        frozenset({State.SUBMITTED_ONLINE}),
        State.NOT_ACCEPTED,
        (Role.DESK_OFFICER,),
        RECEIVING_UNIT,
        slug="not_accept",
        web_slug="khong-tiep-nhan",
        label=_("Từ chối tiếp nhận"),
        done=_("Đã từ chối tiếp nhận hồ sơ."),
        inputs=("reason",),
        danger=True,
    ),
    # --- processing ---
    Action(
        "forwarded",
        _("Chuyển xử lý"),
        _("Chuyển xử lý"),
        frozenset({State.RECEIVED, State.PROCESSING}),
        State.PROCESSING,
        CURRENT_STEP_ROLE,
        CURRENT_UNIT,
        slug="forward",
        web_slug="chuyen-xu-ly",
        label=_("Chuyển bước tiếp theo"),
        done=_("Đã chuyển hồ sơ sang bước tiếp theo."),
        inputs=("note",),
    ),
    Action(
        "transferred",
        _("Chuyển liên thông"),
        _("Chuyển liên thông"),
        frozenset({State.RECEIVED, State.PROCESSING}),
        State.PROCESSING,
        (Role.PROCESSOR, Role.LEADER, Role.DESK_OFFICER),
        CURRENT_UNIT,
        slug="transfer",
        web_slug="chuyen-lien-thong",
        label=_("Chuyển liên thông sang đơn vị khác"),
        done=_("Đã chuyển hồ sơ liên thông."),
        inputs=("to_unit", "note"),
    ),
    # A reorganisation ended the unit holding the dossier: its open work passes to the unit that
    # took over. No page or API door: `motcua units hand-over`, for an administrator on the
    # receiving side (`units.selectors.user_may_hand_over` — the roles of the ended unit are gone).
    Action(
        "handed_over",
        _("Bàn giao hồ sơ khi sắp xếp đơn vị"),
        _("Bàn giao hồ sơ do sắp xếp đơn vị hành chính"),
        frozenset({State.SUBMITTED_ONLINE, *BEFORE_RESULT, State.RESOLVED}),
        None,
        (Role.ADMINISTRATOR,),
        CURRENT_UNIT,
        inputs=("to_unit",),
    ),
    Action(
        "supplement_requested",
        _("Yêu cầu bổ sung hồ sơ"),
        _("Yêu cầu bổ sung hồ sơ"),
        frozenset({State.RECEIVED, State.PROCESSING}),
        State.SUPPLEMENT_REQUESTED,
        OFFICER_ROLES,
        CURRENT_UNIT,
        slug="request_supplement",
        web_slug="yeu-cau-bo-sung",
        label=_("Yêu cầu bổ sung hồ sơ"),
        done=_("Đã gửi yêu cầu bổ sung; thời hạn giải quyết tạm dừng."),
        inputs=("content",),
    ),
    Action(
        "supplement_received",
        _("Nhận hồ sơ bổ sung"),
        _("Nhận hồ sơ bổ sung"),
        frozenset({State.SUPPLEMENT_REQUESTED}),
        State.PROCESSING,
        OFFICER_ROLES,
        RECEIVING_UNIT,
        slug="receive_supplement",
        web_slug="nhan-bo-sung",
        label=_("Nhận hồ sơ bổ sung"),
        done=_("Đã nhận hồ sơ bổ sung; thời hạn giải quyết tiếp tục."),
        inputs=("note",),
        applicant_allowed=True,  # the applicant sends the papers online
    ),
    Action(
        "financial_obligation_requested",
        _("Yêu cầu thực hiện nghĩa vụ tài chính"),
        _("Yêu cầu thực hiện nghĩa vụ tài chính"),
        frozenset({State.PROCESSING}),
        State.FINANCIAL_OBLIGATION,
        (Role.PROCESSOR, Role.LEADER),
        CURRENT_UNIT,
        slug="request_financial_obligation",
        web_slug="yeu-cau-nghia-vu-tai-chinh",
        label=_("Yêu cầu thực hiện nghĩa vụ tài chính"),
        done=_("Đã thông báo nghĩa vụ tài chính; thời hạn giải quyết tạm dừng."),
        inputs=("content", "amount"),
    ),
    Action(
        "financial_obligation_fulfilled",
        _("Xác nhận hoàn thành nghĩa vụ tài chính"),
        _("Hoàn thành nghĩa vụ tài chính"),
        frozenset({State.FINANCIAL_OBLIGATION}),
        State.PROCESSING,
        OFFICER_ROLES,
        RECEIVING_UNIT,
        slug="fulfil_financial_obligation",
        web_slug="hoan-thanh-nghia-vu-tai-chinh",
        label=_("Xác nhận hoàn thành nghĩa vụ tài chính"),
        done=_("Đã xác nhận nghĩa vụ tài chính; thời hạn giải quyết tiếp tục."),
        inputs=("note",),
        applicant_allowed=True,
    ),
    Action(
        "apologised",
        _("Xin lỗi và hẹn lại ngày trả"),
        _("Xin lỗi và hẹn lại ngày trả"),
        BEFORE_RESULT,
        None,
        OFFICER_ROLES,
        CURRENT_UNIT,
        slug="apologise",
        web_slug="xin-loi-hen-lai",
        label=_("Xin lỗi và hẹn lại ngày trả"),
        done=_("Đã lập phiếu xin lỗi và hẹn lại ngày trả."),
        inputs=("new_due_at", "reason"),
        still_possible=_apology_not_yet_given,
    ),
    # The processing officer attaches a drafted result (an uploaded PDF, or one generated from the
    # default template), replaceable until the approval; the leader's approval signs it. No door of
    # the generic action form (a file is its input): `dossiers.services.dossier_attach_result_draft`
    # behind the dossier page's form and the API's upload (docs/results.md).
    Action(
        "result_drafted",
        _("Đính kèm dự thảo kết quả"),
        _("Đính kèm dự thảo kết quả"),
        frozenset({State.PROCESSING}),
        None,
        (Role.PROCESSOR, Role.LEADER),
        CURRENT_UNIT,
        label=_("Đính kèm dự thảo kết quả"),
        done=_("Đã đính kèm dự thảo kết quả; lãnh đạo ký số khi phê duyệt."),
        inputs=("draft",),
    ),
    Action(
        "resolved",
        _("Phê duyệt kết quả"),
        _("Phê duyệt kết quả"),
        frozenset({State.PROCESSING}),
        State.RESOLVED,
        (Role.LEADER,),
        CURRENT_UNIT,
        slug="resolve",
        web_slug="phe-duyet",
        label=_("Phê duyệt kết quả"),
        done=_("Đã phê duyệt kết quả."),
        inputs=("result_summary", "electronic"),
    ),
    Action(
        "result_returned",
        _("Trả kết quả"),
        _("Trả kết quả"),
        frozenset({State.RESOLVED}),
        State.RETURNED,
        (Role.DESK_OFFICER,),
        RECEIVING_UNIT,
        slug="return_result",
        web_slug="tra-ket-qua",
        label=_("Trả kết quả"),
        done=_("Đã trả kết quả cho công dân."),
        inputs=("tracking_number",),  # by post: the BCCI item's number
    ),
    Action(
        "payment_recorded",
        _("Ghi nhận nộp phí, lệ phí"),
        _("Ghi nhận nộp phí, lệ phí"),
        frozenset({State.SUBMITTED_ONLINE, *BEFORE_RESULT, State.RESOLVED}),
        None,
        (Role.DESK_OFFICER,),
        RECEIVING_UNIT,
        slug="record_payment",
        web_slug="nop-phi",
        label=_("Ghi nhận nộp phí, lệ phí tại quầy"),
        done=_("Đã ghi nhận khoản nộp phí, lệ phí và lập biên lai."),
        # The door is the payments app's desk payment (with its receipt): services.PERFORMERS.
        inputs=("method", "amount", "reference"),
        # Online payments arrive from the payment provider, with no officer.
        applicant_allowed=True,
        still_possible=_fee_still_owed,
    ),
    # The provider returned a payment counted on the dossier (a dossier not accepted, withdrawn or
    # stopped after paying online). No door: the payments app records it (`payments refunded`).
    Action(
        "payment_refunded",
        _("Hoàn trả phí, lệ phí"),
        _("Hoàn trả khoản đã nộp phí, lệ phí"),
        frozenset(State),
        None,
        (),
        RECEIVING_UNIT,
        inputs=("amount", "reference"),
        applicant_allowed=True,
    ),
    # The national portal confirmed it holds the dossier (indicator 1.4 reads the flag it sets).
    # No door: the portal sync worker records it (sync.services).
    Action(
        "portal_synced",
        _("Đồng bộ lên Cổng Dịch vụ công quốc gia"),
        _("Đã đồng bộ lên Cổng Dịch vụ công quốc gia"),
        frozenset(State),
        None,
        (),
        RECEIVING_UNIT,
        applicant_allowed=True,
    ),
    # The portal confirmed an update carrying the electronic result's link: the link is in the
    # applicant's catalogue on the portal (indicator 4.4). No door: the sync worker records it.
    Action(
        "result_link_synced",
        _("Đồng bộ liên kết kết quả điện tử lên Cổng Dịch vụ công quốc gia"),
        _("Đã đồng bộ liên kết kết quả điện tử lên Cổng Dịch vụ công quốc gia"),
        frozenset(State),
        None,
        (),
        RECEIVING_UNIT,
        applicant_allowed=True,
    ),
    # --- ends ---
    Action(
        "stopped",
        _("Dừng xử lý"),
        _("Dừng xử lý"),
        frozenset({State.PROCESSING, State.SUPPLEMENT_REQUESTED, State.FINANCIAL_OBLIGATION}),
        State.STOPPED,
        (Role.PROCESSOR, Role.LEADER),
        CURRENT_UNIT,
        slug="stop",
        web_slug="dung-xu-ly",
        label=_("Dừng xử lý"),
        done=_("Đã dừng xử lý hồ sơ."),
        inputs=("reason",),
        danger=True,
    ),
    Action(
        "rejected",
        _("Từ chối giải quyết"),
        _("Từ chối giải quyết"),
        frozenset({State.RECEIVED, State.PROCESSING}),
        # A refusal after acceptance is the result (the letter goes back through the desk).
        State.RESOLVED,
        (Role.LEADER,),
        CURRENT_UNIT,
        slug="reject",
        web_slug="tu-choi",
        label=_("Từ chối giải quyết"),
        done=_("Đã từ chối giải quyết hồ sơ."),
        inputs=("reason",),
        danger=True,
    ),
    Action(
        "withdrawn",
        _("Rút hồ sơ"),
        _("Rút hồ sơ"),
        frozenset({State.SUBMITTED_ONLINE, *BEFORE_RESULT}),
        State.WITHDRAWN,
        (Role.DESK_OFFICER,),
        RECEIVING_UNIT,
        slug="withdraw",
        web_slug="rut-ho-so",
        label=_("Công dân rút hồ sơ"),
        done=_("Đã ghi nhận công dân rút hồ sơ."),
        inputs=("reason",),
        danger=True,
        applicant_allowed=True,  # from the tracking page
    ),
    # --- personal data (privacy app): a data subject's correction, in any state ---
    Action(
        "applicant_corrected",
        _("Chỉnh sửa thông tin chủ hồ sơ"),
        _("Chỉnh sửa thông tin chủ hồ sơ theo yêu cầu của chủ thể dữ liệu"),
        frozenset(State.values),
        None,
        (Role.DESK_OFFICER, Role.LEADER),
        RECEIVING_UNIT,
    ),
    Action(
        "personal_data_erased",
        _("Xóa dữ liệu cá nhân"),
        _("Xóa dữ liệu cá nhân theo yêu cầu của chủ thể dữ liệu"),
        frozenset({State.NOT_ACCEPTED, State.WITHDRAWN}),
        None,
        (Role.DESK_OFFICER, Role.LEADER),
        RECEIVING_UNIT,
    ),
)

# Events that change nothing an officer decides on: a form loaded before one of them is not stale
# (the portal's confirmations arrive in the background, while an officer may be on the page).
VERSION_NEUTRAL_KINDS = frozenset({"portal_synced", "result_link_synced"})

BY_KIND: dict[str, Action] = {action.kind: action for action in ACTIONS}
BY_SLUG: dict[str, Action] = {action.slug: action for action in ACTIONS if action.slug}
BY_WEB_SLUG: dict[str, Action] = {action.web_slug: action for action in ACTIONS if action.web_slug}
# Actions with a door on an existing dossier, in the table's order.
DOOR_ACTIONS: tuple[Action, ...] = tuple(action for action in ACTIONS if action.slug)


def action_get(kind: str) -> Action:
    return BY_KIND[kind]


def action_phrase(action: Action) -> str:
    """The action's name inside a sentence: "Bạn không có quyền <phrase> tại …"."""
    name = str(action.name)
    return name[:1].lower() + name[1:]


def action_phrases() -> dict[str, str]:
    """Every event kind's phrase (the processing trail's `NoiDungXuLy` of the export)."""
    return {action.kind: action_phrase(action) for action in ACTIONS}


def action_unit(action: Action, dossier) -> Any:
    """The unit whose roles decide: the one the dossier was filed with, or the one holding it."""
    return dossier.receiving_unit if action.checked_at == RECEIVING_UNIT else dossier.current_unit


def action_target_state(action: Action, from_state: int) -> int:
    return from_state if action.to_state is None else action.to_state
