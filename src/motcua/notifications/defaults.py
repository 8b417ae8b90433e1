"""What is notified and the templates shipped with the project.

An administrator edits the templates in Django's admin (notifications.services checks them); the
defaults below are what a new installation starts with and what "reset" restores. Placeholders are
written `{name}`; a literal brace is doubled (`{{`)."""

from motcua.notifications.models import MessageChannel, MessageKind

# Dossier events that send a message, and the message they send. An online submission is notified
# when the desk accepts it (the moment it counts as received), not when it is filed.
EVENT_MESSAGES: dict[str, str] = {
    "received": MessageKind.RECEIVED,
    "accepted": MessageKind.RECEIVED,
    "supplement_requested": MessageKind.SUPPLEMENT_REQUESTED,
    "financial_obligation_requested": MessageKind.FINANCIAL_OBLIGATION,
    "resolved": MessageKind.RESOLVED,
    "apologised": MessageKind.APOLOGISED,
}

# Every placeholder a template may use, with its meaning (shown to the administrator). None of them
# carries the applicant's name or ID number: the address already identifies the person.
PLACEHOLDERS: dict[str, str] = {
    "ma_ho_so": "mã hồ sơ",
    "ten_thu_tuc": "tên thủ tục hành chính",
    "co_quan": "cơ quan tiếp nhận hồ sơ",
    "ngay_hen_tra": "ngày hẹn trả kết quả (dd/mm/yyyy hh:mm)",
    "ngay_hen_moi": "ngày hẹn trả mới, khi xin lỗi và hẹn lại",
    "so_tien": "số tiền nghĩa vụ tài chính phải nộp",
    "noi_dung": "nội dung: giấy tờ cần bổ sung, nghĩa vụ tài chính, kết quả hoặc câu trả lời",
    "ly_do": "lý do chậm trễ, khi xin lỗi và hẹn lại",
    "ma_phan_anh": "số phản ánh, kiến nghị",
    "lien_ket": "đường dẫn tra cứu hồ sơ trên Cổng dịch vụ công",
    "lien_ket_danh_gia": "đường dẫn đánh giá mức độ hài lòng (khi có kết quả)",
    "ma_xac_thuc": "mã xác thực một lần (chỉ trong thông báo mã xác thực dùng kho dữ liệu)",
    "so_phut": "số phút mã xác thực còn hiệu lực",
}

# Placeholders a kind cannot do without: a code message without its code would be useless.
REQUIRED_PLACEHOLDERS: dict[str, set[str]] = {MessageKind.STORE_CODE: {"ma_xac_thuc"}}

_SIGNATURE = "\n\nThư này được gửi tự động từ hệ thống Một Cửa; vui lòng không trả lời thư này."

# The result messages as shipped before the rating link was added: migration 0003 updates rows
# still exactly like these (an administrator's own text is kept).
RESOLVED_BEFORE_RATING_LINK: dict[str, str] = {
    MessageChannel.EMAIL: "Kính gửi Quý ông/bà,\n\n"
    'Hồ sơ {ma_ho_so} về thủ tục "{ten_thu_tuc}" đã có kết quả giải quyết.\n'
    "Quý ông/bà vui lòng nhận kết quả theo hình thức đã đăng ký; tra cứu tại {lien_ket}"
    + _SIGNATURE,
    MessageChannel.SMS: "Hồ sơ {ma_ho_so} đã có kết quả giải quyết. Tra cứu: {lien_ket}",
}

# (kind, channel) → (subject, body). SMS texts stay short: one or two messages.
DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    (MessageKind.RECEIVED, MessageChannel.EMAIL): (
        "Hồ sơ {ma_ho_so} đã được tiếp nhận",
        "Kính gửi Quý ông/bà,\n\n"
        '{co_quan} đã tiếp nhận hồ sơ {ma_ho_so} về thủ tục "{ten_thu_tuc}".\n'
        "Ngày hẹn trả kết quả: {ngay_hen_tra}.\n\n"
        "Quý ông/bà có thể tra cứu tình trạng hồ sơ tại {lien_ket}" + _SIGNATURE,
    ),
    (MessageKind.RECEIVED, MessageChannel.SMS): (
        "",
        "{co_quan} đã tiếp nhận hồ sơ {ma_ho_so}. Hẹn trả kết quả {ngay_hen_tra}. "
        "Tra cứu: {lien_ket}",
    ),
    (MessageKind.SUPPLEMENT_REQUESTED, MessageChannel.EMAIL): (
        "Hồ sơ {ma_ho_so} cần bổ sung",
        "Kính gửi Quý ông/bà,\n\n"
        'Hồ sơ {ma_ho_so} về thủ tục "{ten_thu_tuc}" cần được bổ sung, hoàn thiện:\n\n'
        "{noi_dung}\n\n"
        "Thời hạn giải quyết tạm dừng cho đến khi {co_quan} nhận đủ hồ sơ bổ sung. "
        "Quý ông/bà có thể nộp bổ sung trực tuyến hoặc tại Bộ phận Một cửa; "
        "tra cứu tại {lien_ket}" + _SIGNATURE,
    ),
    (MessageKind.SUPPLEMENT_REQUESTED, MessageChannel.SMS): (
        "",
        "Hồ sơ {ma_ho_so} cần bổ sung giấy tờ. Xem nội dung cần bổ sung tại {lien_ket}",
    ),
    (MessageKind.FINANCIAL_OBLIGATION, MessageChannel.EMAIL): (
        "Hồ sơ {ma_ho_so}: thông báo nghĩa vụ tài chính",
        "Kính gửi Quý ông/bà,\n\n"
        'Để tiếp tục giải quyết hồ sơ {ma_ho_so} về thủ tục "{ten_thu_tuc}", '
        "Quý ông/bà cần thực hiện nghĩa vụ tài chính sau:\n\n"
        "{noi_dung}\n"
        "Số tiền: {so_tien}.\n\n"
        "Thời hạn giải quyết tạm dừng cho đến khi nghĩa vụ tài chính được thực hiện. "
        "Tra cứu tại {lien_ket}" + _SIGNATURE,
    ),
    (MessageKind.FINANCIAL_OBLIGATION, MessageChannel.SMS): (
        "",
        "Hồ sơ {ma_ho_so}: đề nghị thực hiện nghĩa vụ tài chính {so_tien}. Chi tiết: {lien_ket}",
    ),
    (MessageKind.RESOLVED, MessageChannel.EMAIL): (
        "Hồ sơ {ma_ho_so} đã có kết quả",
        "Kính gửi Quý ông/bà,\n\n"
        'Hồ sơ {ma_ho_so} về thủ tục "{ten_thu_tuc}" đã có kết quả giải quyết.\n'
        "Quý ông/bà vui lòng nhận kết quả theo hình thức đã đăng ký; tra cứu tại {lien_ket}\n\n"
        "Mời Quý ông/bà đánh giá mức độ hài lòng về việc giải quyết hồ sơ tại "
        "{lien_ket_danh_gia}" + _SIGNATURE,
    ),
    (MessageKind.RESOLVED, MessageChannel.SMS): (
        "",
        "Hồ sơ {ma_ho_so} đã có kết quả giải quyết. Tra cứu: {lien_ket} Đánh giá: "
        "{lien_ket_danh_gia}",
    ),
    (MessageKind.APOLOGISED, MessageChannel.EMAIL): (
        "Hồ sơ {ma_ho_so}: xin lỗi và hẹn lại ngày trả kết quả",
        "Kính gửi Quý ông/bà,\n\n"
        '{co_quan} chân thành xin lỗi vì hồ sơ {ma_ho_so} về thủ tục "{ten_thu_tuc}" '
        "chưa được giải quyết đúng hẹn.\n"
        "Lý do: {ly_do}\n"
        "Ngày hẹn trả kết quả mới: {ngay_hen_moi}.\n\n"
        "Tra cứu tại {lien_ket}" + _SIGNATURE,
    ),
    (MessageKind.APOLOGISED, MessageChannel.SMS): (
        "",
        "{co_quan} xin lỗi vì hồ sơ {ma_ho_so} chậm trễ. Hẹn trả kết quả mới: "
        "{ngay_hen_moi}. Tra cứu: {lien_ket}",
    ),
    (MessageKind.FEEDBACK_ANSWERED, MessageChannel.EMAIL): (
        "Trả lời phản ánh, kiến nghị {ma_phan_anh}",
        "Kính gửi Quý ông/bà,\n\n"
        "Phản ánh, kiến nghị số {ma_phan_anh} của Quý ông/bà đã được trả lời:\n\n"
        "{noi_dung}" + _SIGNATURE,
    ),
    (MessageKind.FEEDBACK_ANSWERED, MessageChannel.SMS): (
        "",
        "Phản ánh, kiến nghị {ma_phan_anh} đã được trả lời. Vui lòng xem thư điện tử "
        "hoặc liên hệ cơ quan tiếp nhận.",
    ),
    (MessageKind.STORE_CODE, MessageChannel.EMAIL): (
        "Mã xác thực dùng giấy tờ trong kho dữ liệu",
        "Kính gửi Quý ông/bà,\n\n"
        "Mã xác thực để dùng giấy tờ đã có trong kho dữ liệu khi nộp hồ sơ trực tuyến là: "
        "{ma_xac_thuc}\n"
        "Mã có hiệu lực trong {so_phut} phút và chỉ dùng một lần. Nếu Quý ông/bà không yêu cầu "
        "mã này, vui lòng bỏ qua thư này và không cung cấp mã cho bất kỳ ai." + _SIGNATURE,
    ),
    (MessageKind.STORE_CODE, MessageChannel.SMS): (
        "",
        "Ma xac thuc dung kho du lieu: {ma_xac_thuc} (hieu luc {so_phut} phut). "
        "Khong cung cap ma nay cho bat ky ai.",
    ),
}
