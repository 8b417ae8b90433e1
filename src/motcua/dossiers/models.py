"""Dossiers, their append-only event log and the projections derived from it.

`DossierEvent` is the truth. `Dossier` and `DossierStep` (the control slip) are projections: every
service appends one event and applies it through `dossiers.projection.apply_event`; `motcua events
rebuild` folds the log again and compares."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Component, Procedure
from motcua.units.models import Role, Unit


class Channel(models.IntegerChoices):
    # Values are the national portal's KenhThucHien codes.
    DIRECT = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POSTAL = 3, _("Qua dịch vụ bưu chính công ích")


class State(models.IntegerChoices):
    # Values are the national portal's TrangThaiHoSo codes (docs/domain.md §4).
    SUBMITTED_ONLINE = 1, _("Mới đăng ký trực tuyến")
    RECEIVED = 2, _("Đã tiếp nhận")
    NOT_ACCEPTED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT_REQUESTED = 5, _("Yêu cầu bổ sung")
    FINANCIAL_OBLIGATION = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    RESOLVED = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


class Outcome(models.TextChoices):
    NONE = "", _("Chưa có")
    GRANTED = "granted", _("Giải quyết")
    REJECTED = "rejected", _("Từ chối giải quyết")
    STOPPED = "stopped", _("Dừng xử lý")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")
    NOT_ACCEPTED = "not_accepted", _("Không tiếp nhận")


class ApplicantKind(models.IntegerChoices):
    """`LoaiDoiTuong` of the national portal's payload."""

    CITIZEN = 1, _("Công dân")
    BUSINESS = 2, _("Doanh nghiệp")
    STATE_AGENCY = 3, _("Cơ quan nhà nước")
    OTHER_ORGANISATION = 4, _("Tổ chức khác")


class ResultDelivery(models.TextChoices):
    DESK = "desk", _("Nhận tại bộ phận một cửa")
    POST = "post", _("Qua dịch vụ bưu chính công ích")
    ONLINE = "online", _("Nhận trực tuyến")


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=64, unique=True)
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="dossiers"
    )
    # The processing agency the dossier is filed with and counted against (the national portal's
    # DonViXuLy): it never changes, even when the unit is merged away.
    # No index of their own on `unit` and `current_unit`: the composite indexes below start with
    # them, and every index is one more write for each dossier an import creates.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("cơ quan giải quyết"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,
    )
    # Where the dossier was handed in (a service centre of the province, or the desk that serves
    # the processing agency), when that is not `unit` itself: desk work — acceptance, supplements,
    # the result's return — happens there; the figures count against `unit`.
    received_by = models.ForeignKey(
        Unit,
        verbose_name=_("nơi tiếp nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # read with its dossier, never searched by
    )
    current_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị đang xử lý"),
        on_delete=models.PROTECT,
        related_name="dossiers_in_hand",
        db_index=False,
    )
    current_role = models.CharField(
        _("vai trò đang xử lý"), max_length=32, choices=Role.choices, blank=True
    )
    current_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.PositiveSmallIntegerField(_("kênh nộp"), choices=Channel.choices)
    state = models.PositiveSmallIntegerField(_("trạng thái"), choices=State.choices)
    outcome = models.CharField(
        _("kết quả xử lý"), max_length=16, choices=Outcome.choices, blank=True
    )

    applicant_name = models.CharField(_("chủ hồ sơ"), max_length=255)
    # Indexed in Meta: looked up by exact value only, so without the second (LIKE pattern) index
    # that db_index adds on PostgreSQL and every insert would keep up for nothing.
    applicant_id_number = models.CharField(_("số giấy tờ tùy thân"), max_length=32, blank=True)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=32, blank=True)
    applicant_email = models.CharField(_("thư điện tử"), max_length=254, blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    summary = models.CharField(_("trích yếu"), max_length=1000, blank=True)

    submitted_at = models.DateTimeField(_("ngày nộp"), null=True, blank=True)
    received_at = models.DateTimeField(_("ngày tiếp nhận"), null=True, blank=True)
    due_at = models.DateTimeField(_("ngày hẹn trả"), null=True, blank=True)
    first_due_at = models.DateTimeField(_("ngày hẹn trả ban đầu"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ngày kết thúc xử lý"), null=True, blank=True)
    returned_at = models.DateTimeField(_("ngày trả kết quả"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("ngày từ chối"), null=True, blank=True)

    # The clock: `remaining_seconds` of working time were left when it (re)started at
    # `clock_started_at`; while `clock_paused_at` is set the applicant holds the dossier.
    budget_seconds = models.PositiveIntegerField(_("thời hạn (giây làm việc)"), default=0)
    remaining_seconds = models.IntegerField(default=0)
    clock_started_at = models.DateTimeField(null=True, blank=True)
    clock_paused_at = models.DateTimeField(null=True, blank=True)

    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    apology_count = models.PositiveSmallIntegerField(_("số lần xin lỗi, hẹn lại"), default=0)

    fee_amount = models.PositiveBigIntegerField(_("phí, lệ phí phải nộp"), default=0)
    fee_paid_amount = models.PositiveBigIntegerField(_("đã nộp"), default=0)
    # Taxes and charges the processing agency asked for (state 6): owed too, but not a phí or
    # lệ phí of the procedure, so not counted as "with a fee".
    obligation_amount = models.PositiveBigIntegerField(_("nghĩa vụ tài chính phải nộp"), default=0)
    paid_online = models.BooleanField(_("thanh toán trực tuyến"), default=False)
    paid_at = models.DateTimeField(_("ngày nộp phí"), null=True, blank=True)

    result_summary = models.CharField(_("kết quả"), max_length=1000, blank=True)
    result_electronic = models.BooleanField(_("có kết quả điện tử"), default=False)
    has_result_file = models.BooleanField(_("có tệp kết quả"), default=False)

    # Digitization facts the indicators count (docs/domain.md §8).
    components_digitized = models.BooleanField(_("đã số hóa đầy đủ thành phần"), default=False)
    data_reused = models.BooleanField(_("tái sử dụng dữ liệu số"), default=False)
    synced_to_portal = models.BooleanField(_("đã đồng bộ Cổng DVC quốc gia"), default=False)

    # Facts the national portal's payload carries (docs/interchange.md) and the 766 indicators
    # 4.4–4.5 count. Set by the doors that know them (intake, filing online, import).
    applicant_kind = models.PositiveSmallIntegerField(
        _("loại đối tượng"), choices=ApplicantKind.choices, default=ApplicantKind.CITIZEN
    )
    applicant_code = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    filing_place = models.CharField(_("nơi nộp hồ sơ"), max_length=255, blank=True)
    vneid_verified = models.BooleanField(_("tài khoản xác thực với VNeID"), default=False)
    # National databases consulted for this dossier (`DSKetNoiCSDL[].MaCSDL`), e.g. population.
    databases_consulted = models.CharField(
        _("cơ sở dữ liệu đã kết nối"), max_length=255, blank=True
    )
    # When the national portal confirmed it holds the link of the dossier's electronic result in the
    # applicant's catalogue (danh mục hồ sơ của cá nhân, tổ chức): the second half of indicator 4.4.
    # Set by the portal sync's confirmation (`result_link_synced` event) or by the import.
    result_store_synced_at = models.DateTimeField(
        _("đồng bộ liên kết kết quả lên kho dữ liệu Cổng DVC quốc gia"), null=True, blank=True
    )

    # How the applicant receives the result (chosen at filing, hand-over recorded by the officer).
    result_delivery = models.CharField(
        _("hình thức nhận kết quả"), max_length=16, choices=ResultDelivery.choices, blank=True
    )
    result_tracking_number = models.CharField(_("số hiệu bưu gửi"), max_length=64, blank=True)

    # Number of events applied; doubles as the version officers' forms send back (stale-form check).
    last_event_seq = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["current_unit", "state", "due_at"], name="dossier_inbox_idx"),
            models.Index(fields=["unit", "received_at"], name="dossier_unit_received_idx"),
            models.Index(fields=["state", "due_at"], name="dossier_state_due_idx"),
            models.Index(fields=["applicant_id_number"], name="dossier_applicant_id_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def receiving_unit(self) -> Unit:
        """Where the applicant's desk work happens: the unit it was handed in at."""
        return self.received_by if self.received_by_id else self.unit

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def rescheduled(self) -> bool:
        """An apology moved the promised date: the dossier is late against its first one, whatever
        the new date says."""
        return self.apology_count > 0 and self.first_due_at is not None

    @property
    def clock_paused(self) -> bool:
        return self.clock_paused_at is not None

    @property
    def masked_id_number(self) -> str:
        """Law 91/2025/QH15: show the ID number only where the full value is needed."""
        value = self.applicant_id_number
        if len(value) <= 4:
            return "*" * len(value)
        return "*" * (len(value) - 4) + value[-4:]


OPEN_STATES = frozenset(
    {
        State.SUBMITTED_ONLINE,
        State.RECEIVED,
        State.PROCESSING,
        State.SUPPLEMENT_REQUESTED,
        State.FINANCIAL_OBLIGATION,
    }
)
ENDED_STATES = frozenset(
    {State.NOT_ACCEPTED, State.WITHDRAWN, State.STOPPED, State.RESOLVED, State.RETURNED}
)


class DossierEvent(models.Model):
    """One append-only entry of a dossier's history. Never deleted, and never updated but by a
    recorded erasure of its personal values (`dossiers.erasure`); `hash` chains it to the dossier's
    previous event (`dossiers.chain`), so a change made behind the application's back is found by
    `motcua audit verify`."""

    # Indexed by event_seq_unique (dossier, seq).
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField(_("thứ tự"))
    kind = models.CharField(_("loại sự kiện"), max_length=48)
    at = models.DateTimeField(_("thời điểm"))
    # Set before saving (not auto_now_add, which is filled in only while inserting): the hash
    # seals it.
    recorded_at = models.DateTimeField(_("thời điểm ghi"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("người thực hiện"), max_length=255, blank=True)
    actor_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.PositiveSmallIntegerField(null=True, blank=True, choices=State.choices)
    to_state = models.PositiveSmallIntegerField(choices=State.choices)
    payload = models.JSONField(default=dict)
    # How `hash` seals the content (dossiers.chain): 1 for events written before erasure existed
    # (values sealed as they are), 2 since (personal values sealed by a salted digest). The
    # database's default is 1: a row inserted by SQL that names neither column (events stored
    # before, a raw writer unaware of schemes) is read as sealed the old way.
    scheme = models.PositiveSmallIntegerField(
        _("phiên bản niêm phong"), default=2, db_default=1, editable=False
    )
    # Scheme 2: [{"path", "salt", "digest"}] of each personal value of the payload; an erased one
    # keeps its digest, its salt is null and its value reads chain.ERASED (dossiers.erasure).
    personal = models.JSONField(
        default=list, db_default=models.Value("[]"), blank=True, editable=False
    )
    # SHA-256 of the previous event's hash and this event's content (dossiers.chain).
    hash = models.CharField(_("mã băm"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("nhật ký hồ sơ")
        ordering = ["dossier_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="event_seq_unique")]
        indexes = [models.Index(fields=["at"], name="event_at_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("DossierEvent is append-only")
        if not self.hash:
            if self.scheme >= 2 and not self.personal:
                from motcua.dossiers.chain import personal_seal

                self.personal = personal_seal(kind=self.kind, payload=self.payload)
            self.hash = self.chain_hash()
        super().save(*args, **kwargs)

    def chain_hash(self) -> str:
        """This event's hash, from the dossier's previous event (read under the dossier's row lock,
        which every service holds while it appends)."""
        from motcua.dossiers.chain import GENESIS, event_hash_of

        previous = GENESIS
        if self.seq > 1:
            previous = (
                DossierEvent.objects.filter(dossier_id=self.dossier_id, seq=self.seq - 1)
                .values_list("hash", flat=True)
                .get()
            )
        return event_hash_of(self, code=self.dossier.code, previous=previous)

    def delete(self, *args, **kwargs):
        raise ValueError("DossierEvent is append-only")


class AuditCheckpoint(models.Model):
    """A signed anchor of the whole event log (`motcua audit checkpoint`, daily): the rolling digest
    of every event hash in id order up to `last_event_id`, chained to the previous checkpoint and
    signed with HMAC-SHA256 under MOTCUA_AUDIT_KEY, a key the database does not hold. Someone who
    rewrites every chain consistently still cannot produce a checkpoint that matches."""

    at = models.DateTimeField(_("thời điểm"))
    last_event_id = models.BigIntegerField(_("sự kiện cuối"))
    event_count = models.BigIntegerField(_("số sự kiện"))
    digest = models.CharField(max_length=64)
    previous_digest = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("mốc kiểm toán nhật ký")
        verbose_name_plural = _("mốc kiểm toán nhật ký")
        ordering = ["last_event_id", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} #{self.last_event_id}"


class DossierStep(models.Model):
    """Phiếu kiểm soát: one hand-over of the dossier, its own deadline and whether it was met."""

    # Indexed by step_seq_unique (dossier, seq).
    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="steps", db_index=False
    )
    seq = models.PositiveSmallIntegerField()
    # Position in the procedure's process template; null for an ad hoc step (transfer, waiting).
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    name = models.CharField(_("nội dung"), max_length=255)
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("bắt đầu"))
    due_at = models.DateTimeField(_("hạn"), null=True, blank=True)
    finished_at = models.DateTimeField(_("hoàn thành"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_time = models.BooleanField(_("đúng hạn"), null=True)
    # Seconds of working time the step was allotted: kept so a paused step can resume with the rest.
    allotted_seconds = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("phiếu kiểm soát")
        ordering = ["dossier_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="step_seq_unique")]
        indexes = [models.Index(fields=["finished_by", "finished_at"], name="step_finished_by_idx")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.name}"


class DigitizationSource(models.TextChoices):
    SCANNED_AT_DESK = "desk_scan", _("Quét tại quầy")
    UPLOADED_ONLINE = "online", _("Tải lên trực tuyến")
    REUSED = "reused", _("Tái sử dụng")
    NATIONAL_STORE = "national_store", _("Lấy từ kho dữ liệu Cổng DVC quốc gia")


class DossierDocument(models.Model):
    """A component (or result) file attached to the dossier. Files are attachments, not projected
    state: the events record their metadata."""

    class Kind(models.TextChoices):
        COMPONENT = "component", _("Thành phần hồ sơ")
        RESULT = "result", _("Kết quả giải quyết")
        # The processing officer's drafted result, signed at the approval (docs/results.md).
        RESULT_DRAFT = "result_draft", _("Dự thảo kết quả")
        NOTICE = "notice", _("Văn bản, phiếu")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.COMPONENT)
    component = models.ForeignKey(Component, null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    file = models.FileField(_("tệp"), upload_to="dossiers/%Y/%m/", blank=True)
    digitized = models.BooleanField(_("đã số hóa"), default=False)
    reused = models.BooleanField(_("tái sử dụng dữ liệu số"), default=False)
    # `TaiLieuNop.DuocLayTuKhoDMQG`: taken from the citizen's document store on the national portal.
    from_national_store = models.BooleanField(
        _("lấy từ kho dữ liệu Cổng DVC quốc gia"), default=False
    )
    # Identity-document images and the like: sensitive personal data (Law 91/2025), access logged.
    sensitive = models.BooleanField(_("dữ liệu cá nhân nhạy cảm"), default=False)
    # Who digitized it, when, how, and its size: the facts behind `DuocSoHoa` and indicator 4.2.
    digitization_source = models.CharField(
        _("nguồn số hóa"), max_length=16, choices=DigitizationSource.choices, blank=True
    )
    digitized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    digitized_at = models.DateTimeField(_("thời điểm số hóa"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    # SHA-256 of the stored content (content addressing of scans).
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    added_at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("giấy tờ")
        verbose_name_plural = _("giấy tờ")

    def __str__(self) -> str:
        return self.name


class DossierCodeSequence(models.Model):
    """Last sequence number issued per unit and local day: codes are gap-free and unique."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="code_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: {self.last}"
