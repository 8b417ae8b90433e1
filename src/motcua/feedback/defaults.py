"""The rating criteria shipped with the project: the aspects citizens rate (as the national
satisfaction survey groups them). Administrators rename, reorder or turn them off in the admin."""

CRITERIA = (
    ("tiep_can", "Tiếp cận dịch vụ (nơi tiếp nhận, cổng dịch vụ công)", 1),
    ("thu_tuc", "Thủ tục hành chính (giấy tờ, thời hạn, phí)", 2),
    ("can_bo", "Thái độ và hướng dẫn của cán bộ, công chức", 3),
    ("ket_qua", "Kết quả và thời gian giải quyết", 4),
)
