"""Demo data: Tứ Kỳ district of Hải Dương province, its one-stop desks, procedures and staff.

What is real and what is illustrative:
- Real (docs/domain.md §6): the statistics codes of Hải Dương (30), Tứ Kỳ (298) and the 27 communes
  of Tứ Kỳ before the 2019–2020 mergers; the national procedure codes marked "real" below; fees
  fixed by national law (chứng thực, trích lục, lý lịch tư pháp).
- Illustrative: every QCVN 102 agency identifier (the `ddd.dd.dd.Xnn` shape is right, the numbers
  are invented), unit codes of departments (the statistics register has none), procedure codes
  marked "unconfirmed", fees set by the provincial council (HĐND tỉnh), the internal process
  templates, village names, and all people.

The demo deliberately plays the pre-2019 tree as the live one, so the seed directive's scenario
(a district watching its communes) can be replayed; since 1/7/2025 the area belongs to Hải Phòng.
"""

from datetime import date

# Shared password of every demo login; printed at the end of `motcua demo` and in the docs.
DEMO_PASSWORD = "motcua-demo-2024"

# Hải Dương and Hưng Yên were re-established from Hải Hưng on 1/1/1997; districts were abolished and
# Hải Dương merged into Hải Phòng on 1/7/2025 (docs/domain.md §3). Kept as data, not as valid_to, because
# the demo replays the last year on the old tree.
PROVINCE_VALID_FROM = date(1997, 1, 1)
REORGANISED_ON = date(2025, 7, 1)

PROVINCE = {"code": "30", "name": "UBND tỉnh Hải Dương", "agency_id": "000.00.00.H23"}

# (code, name, agency id)
PROVINCE_DEPARTMENTS = [
    ("30-STP", "Sở Tư pháp tỉnh Hải Dương", "000.00.11.H23"),
    ("30-STNMT", "Sở Tài nguyên và Môi trường tỉnh Hải Dương", "000.00.12.H23"),
    ("30-SXD", "Sở Xây dựng tỉnh Hải Dương", "000.00.13.H23"),
    ("30-SLDTBXH", "Sở Lao động - Thương binh và Xã hội tỉnh Hải Dương", "000.00.14.H23"),
    ("30-SNV", "Sở Nội vụ tỉnh Hải Dương", "000.00.15.H23"),
]

DISTRICT = {"code": "298", "name": "UBND huyện Tứ Kỳ", "agency_id": "000.00.30.H23"}

# (code, name, short name, agency id); the one-stop desk is a child of the district office.
DISTRICT_DEPARTMENTS = [
    ("298-VP", "Văn phòng HĐND và UBND huyện Tứ Kỳ", "Văn phòng HĐND-UBND", "000.01.30.H23"),
    ("298-TP", "Phòng Tư pháp huyện Tứ Kỳ", "Phòng Tư pháp", "000.02.30.H23"),
    ("298-TNMT", "Phòng Tài nguyên và Môi trường huyện Tứ Kỳ", "Phòng TN&MT", "000.03.30.H23"),
    ("298-KTHT", "Phòng Kinh tế - Hạ tầng huyện Tứ Kỳ", "Phòng KT-HT", "000.04.30.H23"),
    (
        "298-LDTBXH",
        "Phòng Lao động - Thương binh và Xã hội huyện Tứ Kỳ",
        "Phòng LĐ-TB&XH",
        "000.05.30.H23",
    ),
    ("298-TCKH", "Phòng Tài chính - Kế hoạch huyện Tứ Kỳ", "Phòng TC-KH", "000.06.30.H23"),
]
CENTRE = {
    "code": "298-MC",
    "name": "Bộ phận Một cửa huyện Tứ Kỳ",
    "short_name": "Một cửa huyện",
    "agency_id": "000.07.30.H23",
    "parent": "298-VP",
}

# The 27 communes of Tứ Kỳ before the 2019–2020 mergers, with their real statistics codes.
COMMUNES = [
    ("11074", "UBND thị trấn Tứ Kỳ"),
    ("11077", "UBND xã Ngọc Sơn"),
    ("11080", "UBND xã Kỳ Sơn"),
    ("11083", "UBND xã Đại Đồng"),
    ("11086", "UBND xã Hưng Đạo"),
    ("11089", "UBND xã Ngọc Kỳ"),
    ("11092", "UBND xã Bình Lăng"),
    ("11095", "UBND xã Tứ Xuyên"),
    ("11098", "UBND xã Tái Sơn"),
    ("11101", "UBND xã Quang Phục"),
    ("11104", "UBND xã Đông Kỳ"),
    ("11107", "UBND xã Tây Kỳ"),
    ("11110", "UBND xã Dân Chủ"),
    ("11113", "UBND xã Tân Kỳ"),
    ("11116", "UBND xã Quang Khải"),
    ("11119", "UBND xã Đại Hợp"),
    ("11122", "UBND xã Quảng Nghiệp"),
    ("11125", "UBND xã An Thanh"),
    ("11128", "UBND xã Minh Đức"),
    ("11131", "UBND xã Văn Tố"),
    ("11134", "UBND xã Quang Trung"),
    ("11137", "UBND xã Phượng Kỳ"),
    ("11140", "UBND xã Cộng Lạc"),
    ("11143", "UBND xã Tiên Động"),
    ("11146", "UBND xã Nguyên Giáp"),
    ("11149", "UBND xã Hà Kỳ"),
    ("11152", "UBND xã Hà Thanh"),
]


def commune_agency_id(index: int) -> str:
    """Illustrative QCVN 102 identifier of the index-th commune (1-based)."""
    return f"{index:03d}.30.30.H23"


# Communes whose staff get the documented logins (with a second processor).
FEATURED_COMMUNES = ("11143", "11140", "11110", "11074")
# Username suffix per commune; the others are derived from the short name (ASCII, no spaces).
COMMUNE_SLUGS = {"11074": "thitran"}

# Units that issue results and sign them (demo certificates, one each): the district people's
# committee and every commune's.
SIGNING_UNITS = [DISTRICT["code"], *(code for code, _name in COMMUNES)]

# --- procedures -----------------------------------------------------------------------------
# Steps: {"name", "role", "working_hours", "unit": unit code or None (the receiving unit)}.
# Demo-only keys: "weight" (how often it is filed), "summary" (trích yếu; {name}: the applicant),
# "transfer_to" (district office a commune may consult, liên thông ad hoc), "obligation" (the
# applicant owes taxes or charges before the result: land).


def _components(*items: tuple[str, str] | tuple[str, str, bool]) -> list[dict]:
    return [
        {"code": code, "name": name, "required": rest[0] if rest else True, "must_digitize": True}
        for code, name, *rest in items
    ]


ID_PAPER = "Căn cước/căn cước công dân của người yêu cầu (xuất trình hoặc dữ liệu số đã có)"

PROCEDURES: list[dict] = [
    # --- commune: civil status (Hộ tịch) ---
    {
        # Real code. Legal limit "ngay trong ngày" (next working day after 15:00): one working day.
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "field_name": "Hộ tịch",
        "level": "commune",
        "time_limit_value": 1,
        "online_level": "full",
        "result_name": "Giấy khai sinh (bản chính)",
        "legal_basis": "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP; Thông tư 04/2020/TT-BTP",
        "fees": [],  # on-time registration is free (Luật Hộ tịch art. 11)
        "components": _components(
            ("KS.01", "Tờ khai đăng ký khai sinh"),
            ("KS.02", "Giấy chứng sinh hoặc văn bản của người làm chứng"),
            ("KS.03", ID_PAPER),
            ("KS.04", "Văn bản ủy quyền (trường hợp ủy quyền)", False),
        ),
        "weight": 9,
        "summary": "Đăng ký khai sinh cho con của ông/bà {name}",
    },
    {
        "code": "1.001022",  # real code
        "name": "Thủ tục đăng ký khai tử",
        "field_name": "Hộ tịch",
        "level": "commune",
        "time_limit_value": 1,
        "online_level": "full",
        "result_name": "Trích lục khai tử (bản chính)",
        "legal_basis": "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP",
        "fees": [],
        "components": _components(
            ("KT.01", "Tờ khai đăng ký khai tử"),
            ("KT.02", "Giấy báo tử hoặc giấy tờ thay giấy báo tử"),
            ("KT.03", ID_PAPER),
        ),
        "weight": 3,
        "summary": "Đăng ký khai tử cho người thân của ông/bà {name}",
    },
    {
        # Real code. Same day; up to 5 working days when verification is needed (not modelled).
        "code": "1.000894",
        "name": "Thủ tục đăng ký kết hôn",
        "field_name": "Hộ tịch",
        "level": "commune",
        "time_limit_value": 1,
        "online_level": "partial",  # both parties sign the register in person
        "result_name": "Giấy chứng nhận kết hôn",
        "legal_basis": "Luật Hộ tịch 2014; Luật Hôn nhân và gia đình 2014",
        "fees": [],
        "components": _components(
            ("KH.01", "Tờ khai đăng ký kết hôn"),
            ("KH.02", "Giấy xác nhận tình trạng hôn nhân (khi đăng ký ngoài nơi cư trú)", False),
            ("KH.03", ID_PAPER),
        ),
        "weight": 3,
        "summary": "Đăng ký kết hôn — ông/bà {name}",
    },
    {
        "code": "1.004873",  # code unconfirmed; fee set by HĐND tỉnh, illustrative
        "name": "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        "field_name": "Hộ tịch",
        "level": "commune",
        "time_limit_value": 3,
        "online_level": "full",
        "result_kind": "electronic",
        "result_name": "Giấy xác nhận tình trạng hôn nhân",
        "legal_basis": "Nghị định 123/2015/NĐ-CP",
        "fees": [
            {
                "name": "Lệ phí cấp Giấy xác nhận tình trạng hôn nhân",
                "amount": 5000,
                "code": "LP-XNHN",
            }
        ],
        "components": _components(
            ("XN.01", "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân"),
            ("XN.02", "Giấy tờ chứng minh đã ly hôn hoặc người kia đã chết (nếu có)", False),
            ("XN.03", ID_PAPER),
        ),
        "weight": 3,
        "summary": "Xác nhận tình trạng hôn nhân cho ông/bà {name}",
        "transfer_to": "298-TP",
    },
    {
        # Code 2.000635 is the example of docs/domain.md §6 (unconfirmed as this procedure). The fee of
        # 8.000 đ per copy is national (Thông tư 281/2016/TT-BTC).
        "code": "2.000635",
        "name": "Thủ tục cấp bản sao Trích lục hộ tịch",
        "field_name": "Hộ tịch",
        "level": "commune",
        "time_limit_value": 1,
        "online_level": "full",
        "result_kind": "electronic",
        "result_name": "Bản sao trích lục hộ tịch",
        "fees": [
            {
                "name": "Phí cấp bản sao trích lục hộ tịch (8.000 đồng/bản)",
                "amount": 8000,
                "code": "P-TLHT",
            }
        ],
        "components": _components(
            ("TL.01", "Tờ khai cấp bản sao trích lục hộ tịch"),
            ("TL.02", ID_PAPER),
        ),
        "weight": 4,
        "summary": "Cấp bản sao trích lục hộ tịch cho ông/bà {name}",
    },
    {
        "code": "1.004859",  # code unconfirmed; fee illustrative
        "name": "Thủ tục đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
        "field_name": "Hộ tịch",
        "level": "commune",
        "time_limit_value": 3,
        "online_level": "partial",
        "result_name": "Trích lục thay đổi, cải chính, bổ sung thông tin hộ tịch",
        "fees": [
            {"name": "Lệ phí thay đổi, cải chính hộ tịch", "amount": 15000, "code": "LP-CCHT"}
        ],
        "components": _components(
            ("CC.01", "Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch"),
            ("CC.02", "Giấy tờ làm căn cứ cho việc thay đổi, cải chính"),
            ("CC.03", ID_PAPER),
        ),
        "weight": 1.5,
        "summary": "Cải chính thông tin hộ tịch cho ông/bà {name}",
        "transfer_to": "298-TP",
    },
    {
        "code": "1.004837",  # code unconfirmed
        "name": "Thủ tục đăng ký giám hộ",
        "field_name": "Hộ tịch",
        "level": "commune",
        "time_limit_value": 3,
        "online_level": "partial",
        "result_name": "Trích lục đăng ký giám hộ",
        "fees": [],
        "components": _components(
            ("GH.01", "Tờ khai đăng ký giám hộ"),
            ("GH.02", "Văn bản cử người giám hộ"),
            ("GH.03", ID_PAPER),
        ),
        "weight": 0.4,
        "summary": "Đăng ký giám hộ — người yêu cầu {name}",
    },
    # --- commune: certification (Chứng thực) ---
    {
        # Real code. "Trong ngày; sau 15 giờ thì ngày làm việc tiếp theo": modelled as 4 working
        # hours. Fee 2.000 đ/page (national, Thông tư 226/2016/TT-BTC), one page shown.
        "code": "2.000815",
        "name": "Thủ tục chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có "
        "thẩm quyền của Việt Nam cấp hoặc chứng nhận",
        "field_name": "Chứng thực",
        "level": "commune",
        "time_limit_value": 4,
        "time_limit_unit": "working_hours",
        "online_level": "partial",
        "result_kind": "electronic",
        "result_name": "Bản sao được chứng thực từ bản chính",
        "legal_basis": "Nghị định 23/2015/NĐ-CP; Thông tư 226/2016/TT-BTC",
        "fees": [
            {
                "name": "Phí chứng thực bản sao từ bản chính (2.000 đồng/trang)",
                "amount": 2000,
                "code": "P-CTBS",
            }
        ],
        "components": _components(
            ("BS.01", "Bản chính giấy tờ, văn bản cần chứng thực"),
            ("BS.02", "Bản sao cần chứng thực"),
        ),
        "weight": 10,
        "summary": "Chứng thực bản sao từ bản chính — ông/bà {name}",
    },
    {
        # Code unconfirmed; fee 10.000 đ per case is national (Thông tư 226/2016/TT-BTC).
        "code": "2.000884",
        "name": "Thủ tục chứng thực chữ ký trong các giấy tờ, văn bản",
        "field_name": "Chứng thực",
        "level": "commune",
        "time_limit_value": 4,
        "time_limit_unit": "working_hours",
        "online_level": "partial",
        "result_name": "Giấy tờ, văn bản đã được chứng thực chữ ký",
        "fees": [
            {
                "name": "Phí chứng thực chữ ký (10.000 đồng/trường hợp)",
                "amount": 10000,
                "code": "P-CTCK",
            }
        ],
        "components": _components(
            ("CK.01", "Giấy tờ, văn bản cần chứng thực chữ ký"),
            ("CK.02", ID_PAPER),
        ),
        "weight": 3,
        "summary": "Chứng thực chữ ký — ông/bà {name}",
    },
    {
        # Code unconfirmed; fee 50.000 đ per contract is national (Thông tư 226/2016/TT-BTC).
        "code": "2.001035",
        "name": "Thủ tục chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, "
        "quyền sử dụng đất và nhà ở",
        "field_name": "Chứng thực",
        "level": "commune",
        "time_limit_value": 2,
        "online_level": "none",
        "result_name": "Hợp đồng, giao dịch được chứng thực",
        "fees": [{"name": "Phí chứng thực hợp đồng, giao dịch", "amount": 50000, "code": "P-CTHD"}],
        "components": _components(
            ("HD.01", "Dự thảo hợp đồng, giao dịch"),
            ("HD.02", "Bản sao giấy tờ tùy thân của người yêu cầu chứng thực"),
            ("HD.03", "Bản sao Giấy chứng nhận quyền sử dụng đất hoặc giấy tờ về tài sản"),
        ),
        "weight": 2,
        "summary": "Chứng thực hợp đồng chuyển nhượng — ông/bà {name}",
        "transfer_to": "298-TNMT",
    },
    # --- commune → district (one-stop liên thông through the process template) ---
    {
        # Code unconfirmed. Commune council review, then the district office and its leader decide
        # (Nghị định 20/2021/NĐ-CP); the split of 22 days is illustrative.
        "code": "1.001776",
        "name": "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng, hỗ trợ kinh phí chăm "
        "sóc, nuôi dưỡng hàng tháng",
        "field_name": "Bảo trợ xã hội",
        "level": "commune",
        "time_limit_value": 22,
        "online_level": "partial",
        "result_name": "Quyết định trợ cấp xã hội hàng tháng",
        "legal_basis": "Nghị định 20/2021/NĐ-CP",
        "fees": [],
        "components": _components(
            ("TC.01", "Tờ khai đề nghị trợ giúp xã hội"),
            ("TC.02", "Giấy xác nhận khuyết tật (đối với người khuyết tật)", False),
            ("TC.03", ID_PAPER),
        ),
        "steps": [
            {
                "name": "Tiếp nhận, chuyển hồ sơ",
                "role": "desk_officer",
                "working_hours": 4,
                "unit": None,
            },
            {
                "name": "Xét duyệt, niêm yết công khai tại xã",
                "role": "processor",
                "working_hours": 100,
                "unit": None,
            },
            {
                "name": "Chủ tịch UBND xã ký tờ trình",
                "role": "leader",
                "working_hours": 8,
                "unit": None,
            },
            {
                "name": "Thẩm định hồ sơ",
                "role": "processor",
                "working_hours": 40,
                "unit": "298-LDTBXH",
            },
            {
                "name": "Lãnh đạo phòng trình ký quyết định",
                "role": "leader",
                "working_hours": 16,
                "unit": "298-LDTBXH",
            },
            {"name": "Trả kết quả", "role": "desk_officer", "working_hours": 8, "unit": None},
        ],
        "weight": 1,
        "summary": "Đề nghị hưởng trợ cấp xã hội hàng tháng — ông/bà {name}",
    },
    {
        "code": "1.001731",  # code unconfirmed; split of the 7 days illustrative
        "name": "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
        "field_name": "Bảo trợ xã hội",
        "level": "commune",
        "time_limit_value": 7,
        "online_level": "partial",
        "result_name": "Quyết định hỗ trợ chi phí mai táng",
        "fees": [],
        "components": _components(
            ("MT.01", "Tờ khai đề nghị hỗ trợ chi phí mai táng"),
            ("MT.02", "Giấy chứng tử hoặc trích lục khai tử"),
        ),
        "steps": [
            {
                "name": "Tiếp nhận, chuyển hồ sơ",
                "role": "desk_officer",
                "working_hours": 2,
                "unit": None,
            },
            {
                "name": "Xác minh, lập danh sách",
                "role": "processor",
                "working_hours": 14,
                "unit": None,
            },
            {
                "name": "Chủ tịch UBND xã ký tờ trình",
                "role": "leader",
                "working_hours": 4,
                "unit": None,
            },
            {
                "name": "Thẩm định hồ sơ",
                "role": "processor",
                "working_hours": 24,
                "unit": "298-LDTBXH",
            },
            {
                "name": "Lãnh đạo phòng trình ký quyết định",
                "role": "leader",
                "working_hours": 8,
                "unit": "298-LDTBXH",
            },
            {"name": "Trả kết quả", "role": "desk_officer", "working_hours": 4, "unit": None},
        ],
        "weight": 0.6,
        "summary": "Hỗ trợ chi phí mai táng — người đề nghị {name}",
    },
    {
        # Code unconfirmed; limit illustrative.
        "code": "1.010820",
        "name": "Giải quyết chế độ trợ cấp thờ cúng liệt sĩ",
        "field_name": "Người có công",
        "level": "commune",
        "time_limit_value": 12,
        "online_level": "partial",
        "result_name": "Quyết định trợ cấp thờ cúng liệt sĩ",
        "fees": [],
        "components": _components(
            ("NC.01", "Bản khai đề nghị giải quyết chế độ trợ cấp thờ cúng liệt sĩ"),
            ("NC.02", "Văn bản ủy quyền của các thân nhân liệt sĩ", False),
            ("NC.03", ID_PAPER),
        ),
        "steps": [
            {
                "name": "Tiếp nhận, chuyển hồ sơ",
                "role": "desk_officer",
                "working_hours": 4,
                "unit": None,
            },
            {
                "name": "Xác nhận, lập danh sách",
                "role": "processor",
                "working_hours": 28,
                "unit": None,
            },
            {
                "name": "Chủ tịch UBND xã ký văn bản đề nghị",
                "role": "leader",
                "working_hours": 4,
                "unit": None,
            },
            {
                "name": "Thẩm định hồ sơ",
                "role": "processor",
                "working_hours": 40,
                "unit": "298-LDTBXH",
            },
            {
                "name": "Lãnh đạo phòng ký kết quả",
                "role": "leader",
                "working_hours": 16,
                "unit": "298-LDTBXH",
            },
            {"name": "Trả kết quả", "role": "desk_officer", "working_hours": 4, "unit": None},
        ],
        "weight": 0.4,
        "summary": "Đề nghị trợ cấp thờ cúng liệt sĩ — ông/bà {name}",
    },
    {
        "code": "1.003554",  # code unconfirmed; 45 days: Luật Đất đai 2013 art. 202
        "name": "Hòa giải tranh chấp đất đai",
        "field_name": "Đất đai",
        "level": "commune",
        "time_limit_value": 45,
        "online_level": "partial",
        "result_name": "Biên bản hòa giải",
        "fees": [],
        "components": _components(
            ("HG.01", "Đơn yêu cầu hòa giải tranh chấp đất đai"),
            ("HG.02", "Giấy tờ liên quan đến thửa đất tranh chấp", False),
        ),
        "weight": 0.6,
        "summary": "Hòa giải tranh chấp đất đai — người yêu cầu {name}",
        "transfer_to": "298-TNMT",
    },
    # --- district: received at the district one-stop desk, processed by its offices ---
    {
        # Code believed real (check it); 15 days: Nghị định 15/2021/NĐ-CP; fee illustrative.
        "code": "1.009794",
        "name": "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "field_name": "Hoạt động xây dựng",
        "level": "district",
        "time_limit_value": 15,
        "online_level": "full",
        "result_name": "Giấy phép xây dựng",
        "legal_basis": "Luật Xây dựng 2014 (sửa đổi 2020); Nghị định 15/2021/NĐ-CP",
        "fees": [
            {
                "name": "Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ",
                "amount": 75000,
                "code": "LP-GPXD",
            }
        ],
        "components": _components(
            ("XD.01", "Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01)"),
            ("XD.02", "Bản sao giấy tờ chứng minh quyền sử dụng đất"),
            ("XD.03", "Bản vẽ thiết kế xây dựng"),
            ("XD.04", "Cam kết bảo đảm an toàn đối với công trình liền kề", False),
        ),
        "steps": [
            {
                "name": "Tiếp nhận, chuyển hồ sơ",
                "role": "desk_officer",
                "working_hours": 4,
                "unit": None,
            },
            {
                "name": "Thẩm định hồ sơ, kiểm tra thực địa",
                "role": "processor",
                "working_hours": 92,
                "unit": "298-KTHT",
            },
            {
                "name": "Lãnh đạo phòng xem xét, trình ký",
                "role": "leader",
                "working_hours": 8,
                "unit": "298-KTHT",
            },
            {
                "name": "Lãnh đạo UBND huyện ký giấy phép",
                "role": "leader",
                "working_hours": 8,
                "unit": "298",
            },
            {"name": "Trả kết quả", "role": "desk_officer", "working_hours": 8, "unit": None},
        ],
        "weight": 2.5,
        "summary": "Cấp giấy phép xây dựng nhà ở riêng lẻ cho hộ ông/bà {name}",
    },
    {
        # Code believed real (check it); 3 working days (Nghị định 01/2021/NĐ-CP); fee illustrative.
        "code": "2.000720",
        "name": "Đăng ký thành lập hộ kinh doanh",
        "field_name": "Thành lập và hoạt động của hộ kinh doanh",
        "level": "district",
        "time_limit_value": 3,
        "online_level": "full",
        "result_kind": "electronic",
        "result_name": "Giấy chứng nhận đăng ký hộ kinh doanh",
        "legal_basis": "Nghị định 01/2021/NĐ-CP",
        "fees": [{"name": "Lệ phí đăng ký hộ kinh doanh", "amount": 100000, "code": "LP-HKD"}],
        "components": _components(
            ("KD.01", "Giấy đề nghị đăng ký hộ kinh doanh"),
            ("KD.02", "Bản sao giấy tờ pháp lý của cá nhân đối với các thành viên hộ gia đình"),
            ("KD.03", "Bản sao biên bản họp thành viên hộ gia đình (nếu có)", False),
        ),
        "steps": [
            {
                "name": "Tiếp nhận, chuyển hồ sơ",
                "role": "desk_officer",
                "working_hours": 2,
                "unit": None,
            },
            {
                "name": "Xem xét hồ sơ, dự thảo giấy chứng nhận",
                "role": "processor",
                "working_hours": 16,
                "unit": "298-TCKH",
            },
            {
                "name": "Lãnh đạo phòng ký giấy chứng nhận",
                "role": "leader",
                "working_hours": 4,
                "unit": "298-TCKH",
            },
            {"name": "Trả kết quả", "role": "desk_officer", "working_hours": 2, "unit": None},
        ],
        "weight": 3,
        "summary": "Đăng ký thành lập hộ kinh doanh — chủ hộ {name}",
    },
    {
        # Code unconfirmed; 30 days under Nghị định 01/2017 (shorter since the 2024 Land Law);
        # fee illustrative. Taxes are owed before the certificate (financial obligation).
        "code": "1.004227",
        "name": "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản "
        "khác gắn liền với đất lần đầu",
        "field_name": "Đất đai",
        "level": "district",
        "time_limit_value": 30,
        "online_level": "partial",
        "result_name": "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác "
        "gắn liền với đất",
        "fees": [{"name": "Lệ phí cấp Giấy chứng nhận", "amount": 100000, "code": "LP-GCN"}],
        "components": _components(
            ("DD.01", "Đơn đăng ký, cấp Giấy chứng nhận (Mẫu số 04a/ĐK)"),
            ("DD.02", "Giấy tờ về quyền sử dụng đất (nếu có)", False),
            ("DD.03", "Chứng từ thực hiện nghĩa vụ tài chính (nếu có)", False),
            ("DD.04", ID_PAPER),
        ),
        "steps": [
            {
                "name": "Tiếp nhận, chuyển hồ sơ",
                "role": "desk_officer",
                "working_hours": 4,
                "unit": None,
            },
            {
                "name": "Kiểm tra hồ sơ, đo đạc, xác định nghĩa vụ tài chính",
                "role": "processor",
                "working_hours": 200,
                "unit": "298-TNMT",
            },
            {
                "name": "Lãnh đạo phòng thẩm định, trình ký",
                "role": "leader",
                "working_hours": 12,
                "unit": "298-TNMT",
            },
            {
                "name": "Lãnh đạo UBND huyện ký Giấy chứng nhận",
                "role": "leader",
                "working_hours": 16,
                "unit": "298",
            },
            {"name": "Trả kết quả", "role": "desk_officer", "working_hours": 8, "unit": None},
        ],
        "weight": 1.5,
        "summary": "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu cho hộ ông/bà {name}",
        "obligation": True,
    },
    {
        "code": "1.004221",  # code unconfirmed; 10 days and fee illustrative
        "name": "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất do "
        "chuyển nhượng, tặng cho, thừa kế",
        "field_name": "Đất đai",
        "level": "district",
        "time_limit_value": 10,
        "online_level": "partial",
        "result_name": "Giấy chứng nhận đã xác nhận biến động",
        "fees": [{"name": "Lệ phí đăng ký biến động đất đai", "amount": 30000, "code": "LP-BD"}],
        "components": _components(
            ("BD.01", "Đơn đăng ký biến động đất đai (Mẫu số 09/ĐK)"),
            ("BD.02", "Hợp đồng, văn bản chuyển nhượng, tặng cho, thừa kế đã chứng thực"),
            ("BD.03", "Bản gốc Giấy chứng nhận đã cấp"),
        ),
        "steps": [
            {
                "name": "Tiếp nhận, chuyển hồ sơ",
                "role": "desk_officer",
                "working_hours": 4,
                "unit": None,
            },
            {
                "name": "Kiểm tra hồ sơ, chỉnh lý biến động",
                "role": "processor",
                "working_hours": 56,
                "unit": "298-TNMT",
            },
            {
                "name": "Lãnh đạo phòng ký xác nhận",
                "role": "leader",
                "working_hours": 12,
                "unit": "298-TNMT",
            },
            {"name": "Trả kết quả", "role": "desk_officer", "working_hours": 8, "unit": None},
        ],
        "weight": 2.5,
        "summary": "Đăng ký biến động quyền sử dụng đất — ông/bà {name}",
        "obligation": True,
    },
    {
        # Code unconfirmed; same-day rule as at the commune, fee national (2.000 đ/page).
        "code": "2.000908",
        "name": "Thủ tục chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có "
        "thẩm quyền của nước ngoài cấp hoặc chứng nhận",
        "field_name": "Chứng thực",
        "level": "district",
        "time_limit_value": 4,
        "time_limit_unit": "working_hours",
        "online_level": "partial",
        "result_kind": "electronic",
        "result_name": "Bản sao được chứng thực từ bản chính",
        "fees": [
            {
                "name": "Phí chứng thực bản sao từ bản chính (2.000 đồng/trang)",
                "amount": 2000,
                "code": "P-CTBS",
            }
        ],
        "components": _components(
            ("BN.01", "Bản chính giấy tờ do cơ quan nước ngoài cấp (đã hợp pháp hóa lãnh sự)"),
            ("BN.02", "Bản sao cần chứng thực"),
        ),
        "steps": [
            {
                "name": "Tiếp nhận, chuyển hồ sơ",
                "role": "desk_officer",
                "working_hours": 0.5,
                "unit": None,
            },
            {
                "name": "Kiểm tra, đối chiếu bản chính",
                "role": "processor",
                "working_hours": 2.5,
                "unit": "298-TP",
            },
            {
                "name": "Lãnh đạo phòng ký chứng thực",
                "role": "leader",
                "working_hours": 0.5,
                "unit": "298-TP",
            },
            {"name": "Trả kết quả", "role": "desk_officer", "working_hours": 0.5, "unit": None},
        ],
        "weight": 1,
        "summary": "Chứng thực bản sao giấy tờ nước ngoài — ông/bà {name}",
    },
    {
        # Code unconfirmed; 15 days (Luật Hộ tịch art. 38); fee set by HĐND tỉnh (illustrative).
        "code": "1.000893",
        "name": "Thủ tục đăng ký kết hôn có yếu tố nước ngoài",
        "field_name": "Hộ tịch",
        "level": "district",
        "time_limit_value": 15,
        "online_level": "partial",
        "result_name": "Giấy chứng nhận kết hôn",
        "fees": [
            {
                "name": "Lệ phí đăng ký kết hôn có yếu tố nước ngoài",
                "amount": 1000000,
                "code": "LP-KHNN",
            }
        ],
        "components": _components(
            ("KN.01", "Tờ khai đăng ký kết hôn"),
            ("KN.02", "Giấy xác nhận của tổ chức y tế về sức khỏe tâm thần"),
            ("KN.03", "Giấy tờ chứng minh tình trạng hôn nhân của người nước ngoài"),
            ("KN.04", "Bản sao hộ chiếu của người nước ngoài"),
        ),
        "steps": [
            {
                "name": "Tiếp nhận, chuyển hồ sơ",
                "role": "desk_officer",
                "working_hours": 4,
                "unit": None,
            },
            {
                "name": "Thẩm tra, xác minh hồ sơ",
                "role": "processor",
                "working_hours": 92,
                "unit": "298-TP",
            },
            {
                "name": "Lãnh đạo phòng trình ký",
                "role": "leader",
                "working_hours": 8,
                "unit": "298-TP",
            },
            {
                "name": "Lãnh đạo UBND huyện ký Giấy chứng nhận",
                "role": "leader",
                "working_hours": 8,
                "unit": "298",
            },
            {"name": "Trả kết quả", "role": "desk_officer", "working_hours": 8, "unit": None},
        ],
        "weight": 0.3,
        "summary": "Đăng ký kết hôn có yếu tố nước ngoài — ông/bà {name}",
    },
    {
        # Code unconfirmed; appraisal fee illustrative.
        "code": "2.000620",
        "name": "Cấp Giấy phép bán lẻ rượu",
        "field_name": "Lưu thông hàng hóa trong nước",
        "level": "district",
        "time_limit_value": 10,
        "online_level": "full",
        "result_kind": "electronic",
        "result_name": "Giấy phép bán lẻ rượu",
        "fees": [
            {"name": "Phí thẩm định cấp giấy phép bán lẻ rượu", "amount": 600000, "code": "P-RUOU"}
        ],
        "components": _components(
            ("RU.01", "Đơn đề nghị cấp Giấy phép bán lẻ rượu"),
            ("RU.02", "Bản sao Giấy chứng nhận đăng ký hộ kinh doanh"),
            ("RU.03", "Bản sao hợp đồng thuê hoặc giấy tờ về quyền sử dụng địa điểm kinh doanh"),
        ),
        "steps": [
            {
                "name": "Tiếp nhận, chuyển hồ sơ",
                "role": "desk_officer",
                "working_hours": 4,
                "unit": None,
            },
            {
                "name": "Thẩm định hồ sơ",
                "role": "processor",
                "working_hours": 56,
                "unit": "298-KTHT",
            },
            {
                "name": "Lãnh đạo phòng ký giấy phép",
                "role": "leader",
                "working_hours": 16,
                "unit": "298-KTHT",
            },
            {"name": "Trả kết quả", "role": "desk_officer", "working_hours": 4, "unit": None},
        ],
        "weight": 0.5,
        "summary": "Cấp Giấy phép bán lẻ rượu — hộ kinh doanh {name}",
    },
    {
        # Code unconfirmed; 5 days and the split illustrative.
        "code": "1.001699",
        "name": "Xác nhận hộ gia đình làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có "
        "mức sống trung bình",
        "field_name": "Bảo trợ xã hội",
        "level": "commune",
        "time_limit_value": 5,
        "online_level": "full",
        "result_kind": "electronic",
        "result_name": "Giấy xác nhận hộ gia đình có mức sống trung bình",
        "fees": [],
        "components": _components(
            ("NN.01", "Giấy đề nghị xác nhận hộ gia đình có mức sống trung bình"),
            ("NN.02", ID_PAPER),
        ),
        "weight": 1,
        "summary": "Xác nhận hộ gia đình có mức sống trung bình — chủ hộ {name}",
    },
    # --- province (catalogue only: the demo has no provincial desk) ---
    {
        # Code unconfirmed; 10 days and 200.000 đ are national (Luật Lý lịch tư pháp, TT 244/2016).
        "code": "2.000488",
        "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú "
        "tại Việt Nam",
        "field_name": "Lý lịch tư pháp",
        "level": "province",
        "time_limit_value": 10,
        "online_level": "full",
        "result_kind": "electronic",
        "result_name": "Phiếu lý lịch tư pháp",
        "fees": [
            {"name": "Phí cung cấp thông tin lý lịch tư pháp", "amount": 200000, "code": "P-LLTP"}
        ],
        "components": _components(
            ("LL.01", "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"),
            ("LL.02", ID_PAPER),
        ),
        "weight": 0,
        "summary": "Cấp Phiếu lý lịch tư pháp cho ông/bà {name}",
    },
]

DEMO_KEYS = ("weight", "summary", "transfer_to", "obligation")

# --- people ---------------------------------------------------------------------------------------
# (family name, relative frequency): roughly the national distribution, with Nhữ, a Hải Dương name.
FAMILY_NAMES = [
    ("Nguyễn", 30),
    ("Trần", 10),
    ("Lê", 9),
    ("Phạm", 8),
    ("Vũ", 6),
    ("Hoàng", 5),
    ("Bùi", 5),
    ("Đỗ", 4),
    ("Đặng", 3),
    ("Ngô", 2),
    ("Phan", 2),
    ("Dương", 2),
    ("Đào", 2),
    ("Đinh", 2),
    ("Nhữ", 1),
    ("Mạc", 1),
    ("Lương", 1),
    ("Trịnh", 1),
    ("Tạ", 1),
    ("Cao", 1),
]
MIDDLE_MALE = [
    "Văn",
    "Văn",
    "Văn",
    "Đức",
    "Minh",
    "Quang",
    "Hữu",
    "Xuân",
    "Thanh",
    "Công",
    "Đình",
    "Tiến",
]
MIDDLE_FEMALE = [
    "Thị",
    "Thị",
    "Thị",
    "Thu",
    "Thanh",
    "Ngọc",
    "Minh",
    "Hồng",
    "Phương",
    "Thùy",
    "Bích",
]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Duy",
    "Hải",
    "Hiếu",
    "Hùng",
    "Huy",
    "Khánh",
    "Long",
    "Minh",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thắng",
    "Thành",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
    "Đạt",
    "Kiên",
]
GIVEN_FEMALE = [
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngọc",
    "Nhung",
    "Phương",
    "Quỳnh",
    "Thảo",
    "Trang",
    "Tuyết",
    "Vân",
    "Yến",
    "Huyền",
    "Loan",
]
VILLAGES = [
    "thôn An Nhân",
    "thôn Đông",
    "thôn Tây",
    "thôn Trung",
    "thôn Nam",
    "thôn Bắc",
    "thôn Thượng",
    "thôn Hạ",
    "thôn Phú",
    "thôn Lạc",
    "thôn Cao",
    "thôn Tân",
    "khu dân cư số 1",
    "khu dân cư số 2",
]
# Mobile prefixes 09x (Viettel, VinaPhone, MobiFone…); the rest of the number is random.
PHONE_PREFIXES = ["096", "097", "098", "091", "094", "090", "093", "099"]
# First three digits of a citizen identity number: the province of birth (030 = Hải Dương).
ID_PROVINCE_PREFIXES = ["030", "030", "030", "030", "031", "033", "034", "001"]

# Reasons written on the slips, in the officers' words.
SUPPLEMENT_REASONS = [
    "Bổ sung bản sao giấy tờ chứng minh quan hệ nhân thân.",
    "Tờ khai chưa ghi đầy đủ thông tin; đề nghị kê khai lại theo mẫu.",
    "Bổ sung văn bản ủy quyền có chứng thực.",
    "Bổ sung bản vẽ mặt bằng có chữ ký của chủ hộ.",
    "Giấy tờ nộp kèm bị mờ, không đọc được; đề nghị nộp lại bản rõ nét.",
]
SECOND_SUPPLEMENT_REASONS = [
    "Bổ sung thêm xác nhận của trưởng thôn về nơi cư trú.",
    "Bổ sung thêm giấy tờ chứng minh nguồn gốc thửa đất.",
]
NOT_ACCEPTED_REASONS = [
    "Hồ sơ nộp không đúng thẩm quyền giải quyết của đơn vị.",
    "Thành phần hồ sơ không đúng với thủ tục đã chọn.",
    "Hồ sơ trùng với hồ sơ đã nộp trước đó.",
]
WITHDRAW_REASONS = [
    "Công dân có đơn xin rút hồ sơ để hoàn thiện lại giấy tờ.",
    "Công dân không còn nhu cầu giải quyết.",
]
STOP_REASONS = ["Quá thời hạn nhưng công dân không bổ sung hồ sơ theo yêu cầu."]
REJECT_REASONS = [
    "Hồ sơ không đủ điều kiện theo quy định; đã có văn bản trả lời nêu rõ lý do.",
    "Thửa đất thuộc quy hoạch, không đủ điều kiện giải quyết.",
]
APOLOGY_REASONS = [
    "Cần xác minh thêm thông tin tại cơ quan khác.",
    "Phải kiểm tra thực địa, chưa bố trí được lịch.",
]
OBLIGATION_CONTENT = (
    "Đề nghị nộp tiền sử dụng đất và lệ phí trước bạ theo thông báo của cơ quan thuế."
)

# Staff titles by role at each kind of unit.
TITLES = {
    ("commune", "desk_officer"): "Công chức Văn phòng - Thống kê (Bộ phận Một cửa)",
    ("commune", "processor"): "Công chức Tư pháp - Hộ tịch",
    ("commune", "processor2"): "Công chức Địa chính - Xây dựng",
    ("commune", "leader"): "Chủ tịch UBND",
    ("centre", "desk_officer"): "Chuyên viên Bộ phận Một cửa",
    ("department", "processor"): "Chuyên viên",
    ("department", "leader"): "Trưởng phòng",
    ("district", "leader"): "Phó Chủ tịch UBND huyện",
    ("district", "supervisor"): "Chuyên viên Văn phòng HĐND-UBND huyện (kiểm soát TTHC)",
    ("province", "supervisor"): "Chuyên viên Phòng Kiểm soát TTHC, Văn phòng UBND tỉnh",
    ("province", "administrator"): "Quản trị hệ thống",
}

# District staff: (username, unit code, role, title key or explicit title).
DISTRICT_STAFF = [
    ("tiepnhan.tuky", "298-MC", "desk_officer", "Chuyên viên Bộ phận Một cửa"),
    ("tiepnhan2.tuky", "298-MC", "desk_officer", "Chuyên viên Bộ phận Một cửa"),
    ("lanhdao.tuky", "298", "leader", "Phó Chủ tịch UBND huyện"),
    ("giamsat.tuky", "298", "supervisor", TITLES[("district", "supervisor")]),
    ("chuyenvien.tuphap", "298-TP", "processor", "Chuyên viên Phòng Tư pháp"),
    ("lanhdao.tuphap", "298-TP", "leader", "Trưởng phòng Tư pháp"),
    ("chuyenvien.tnmt", "298-TNMT", "processor", "Chuyên viên Phòng TN&MT"),
    ("chuyenvien2.tnmt", "298-TNMT", "processor", "Chuyên viên Phòng TN&MT"),
    ("lanhdao.tnmt", "298-TNMT", "leader", "Trưởng phòng TN&MT"),
    ("chuyenvien.ktht", "298-KTHT", "processor", "Chuyên viên Phòng KT-HT"),
    ("lanhdao.ktht", "298-KTHT", "leader", "Trưởng phòng KT-HT"),
    ("chuyenvien.ldtbxh", "298-LDTBXH", "processor", "Chuyên viên Phòng LĐ-TB&XH"),
    ("lanhdao.ldtbxh", "298-LDTBXH", "leader", "Trưởng phòng LĐ-TB&XH"),
    ("chuyenvien.tckh", "298-TCKH", "processor", "Chuyên viên Phòng TC-KH"),
    ("lanhdao.tckh", "298-TCKH", "leader", "Trưởng phòng TC-KH"),
    ("giamsat.haiduong", "30", "supervisor", TITLES[("province", "supervisor")]),
    ("quantri", "30", "administrator", TITLES[("province", "administrator")]),
]
