"""A realistic four-site agency report for the renderer tests (Thanh tra tỉnh Khánh Hòa).

The numbers are made up but consistent with each other: every finding's evidence matches the
site facts, and the proposal totals are the sums of the tasks. Prices are sample values for the
tests, not quotations.
"""

from infraaudit.models.finding import Evidence, Finding
from infraaudit.models.report import (
    AgencyReport,
    CatalogNote,
    DeviceAgeRow,
    HistoryDevice,
    HistoryLink,
    HistoryPort,
    LinkRow,
    Proposal,
    ProposalTask,
    ReportMeta,
    SiteFacts,
    SiteFinding,
    SiteHistory,
    SwitchPorts,
    TopologyEdge,
)

HQ = "Trụ sở 26 Hùng Vương"
THD = "20 Trần Hưng Đạo"
HK = "02 Hoàn Kiếm"
BA = "374 đường 21 tháng 8"
AT = "2025-12-10T02:15:00Z"


def _sites() -> list[SiteFacts]:
    hq = SiteFacts(
        site_id="hq",
        name=HQ,
        address="26 Hùng Vương, phường Nha Trang, tỉnh Khánh Hòa",
        audit_id="a-2025-12-10-hq",
        scanned_at=AT,
        complete=True,
        devices=7,
        devices_answered=6,
        roles={"router": 1, "switch": 4, "ap": 2},
        vendors={"Cisco": 3, "TP-Link": 3, "MikroTik": 1},
        ports=[
            SwitchPorts(device="sw-core-hv", model="Cisco WS-C2960X-24TS-L", ports=28, up=19,
                        down=9, free=9, with_errors=1, flapping=0, downgraded=2),
            SwitchPorts(device="sw-tang2-hv", model="Cisco WS-C2960-24TT-L", ports=26, up=22,
                        down=4, free=4, with_errors=2, flapping=1, downgraded=3),
            SwitchPorts(device="sw-tang3-hv", model="TP-Link TL-SG1024DE", ports=24, up=23,
                        down=1, free=1, with_errors=0, flapping=0, downgraded=0),
            SwitchPorts(device="sw-tiepdan-hv", model="Cisco SF300-24", ports=26, up=12,
                        down=14, free=14, with_errors=0, flapping=0, downgraded=1),
        ],
        links=[
            LinkRow(target="rt-hv (192.168.1.1)", loss_pct=0.0, rtt_avg_ms=0.6, jitter_ms=0.1),
            LinkRow(target="sw-tang2-hv (192.168.1.12)", loss_pct=4.0, rtt_avg_ms=2.8,
                    jitter_ms=1.9),
            LinkRow(target="ap-tang2-hv (192.168.1.31)", loss_pct=0.0, rtt_avg_ms=38.5,
                    jitter_ms=21.4),
        ],
        wired_endpoints=41,
        wifi_endpoints=37,
        wifi_pct=47.4,
        ipv6_phase=0,
        ipv6_scores={"rt-hv": 3, "sw-core-hv": 2, "sw-tang2-hv": 1, "sw-tang3-hv": 1,
                     "sw-tiepdan-hv": 2, "ap-tang2-hv": 1},
        topology=[
            TopologyEdge(a="rt-hv", a_port="ether2", b="sw-core-hv", b_port="Gi0/1"),
            TopologyEdge(a="sw-core-hv", a_port="Gi0/2", b="sw-tang2-hv", b_port="Gi0/1"),
            TopologyEdge(a="sw-core-hv", a_port="Gi0/3", b="sw-tang3-hv", b_port="24"),
            TopologyEdge(a="sw-core-hv", a_port="Gi0/4", b="sw-tiepdan-hv", b_port="gi1"),
            TopologyEdge(a="sw-tang2-hv", a_port="Fa0/20", b="ap-tang2-hv", b_port="eth0"),
            TopologyEdge(a="sw-tang3-hv", a_port="20", b="ap-tang3-hv", b_port="eth0"),
        ],
        topology_nodes={"rt-hv": "router", "sw-core-hv": "switch", "sw-tang2-hv": "switch",
                        "sw-tang3-hv": "switch", "sw-tiepdan-hv": "switch",
                        "ap-tang2-hv": "ap", "ap-tang3-hv": "ap"},
        ages=[
            DeviceAgeRow(device="sw-tang2-hv", role="switch", since=2011, source="serial",
                         age=14, life=8, ends=2019),
            DeviceAgeRow(device="sw-core-hv", role="switch", since=2019, source="inventory",
                         age=6, life=8, ends=2027),
        ],
        history=SiteHistory(
            days=90, runs=61, first="2025-09-11T19:30:00Z", last="2025-12-09T19:30:00Z",
            complete_runs=61,
            devices=[HistoryDevice(device="rt-hv", runs=61, answered=61, availability_pct=100.0),
                     HistoryDevice(device="sw-tang2-hv", runs=61, answered=57,
                                   availability_pct=93.4)],
            links=[HistoryLink(target="rt-hv (192.168.1.1)", runs=61, loss_p50=0.0,
                               loss_p95=0.0, rtt_p50_ms=0.5, rtt_p95_ms=0.9, jitter_p95_ms=0.2),
                   HistoryLink(target="sw-tang2-hv (192.168.1.12)", runs=61, loss_p50=2.0,
                               loss_p95=6.0, rtt_p50_ms=2.1, rtt_p95_ms=7.4,
                               jitter_p95_ms=3.8)],
            ports=[HistoryPort(device="sw-tang2-hv", port="Fa0/14", samples=57,
                               runs_with_errors=49, error_ppm_max=21_400.0,
                               fcs_ppm_max=19_980.0, flaps=0)]),
    )
    thd = SiteFacts(
        site_id="thd",
        name=THD,
        address="20 Trần Hưng Đạo, phường Nha Trang, tỉnh Khánh Hòa",
        audit_id="a-2025-12-10-thd",
        scanned_at="2025-12-10T03:40:00Z",
        complete=True,
        devices=3,
        devices_answered=3,
        roles={"router": 1, "switch": 1, "ap": 1},
        vendors={"TP-Link": 2, "DrayTek": 1},
        ports=[
            SwitchPorts(device="sw-thd", model="TP-Link TL-SG3428", ports=28, up=17, down=11,
                        free=11, with_errors=1, flapping=0, downgraded=0),
        ],
        links=[
            LinkRow(target="rt-thd (192.168.10.1)", loss_pct=0.0, rtt_avg_ms=0.9, jitter_ms=0.2),
        ],
        wired_endpoints=12,
        wifi_endpoints=9,
        wifi_pct=42.9,
        ipv6_phase=1,
        ipv6_scores={"rt-thd": 4, "sw-thd": 2, "ap-thd": 1},
        topology=[
            TopologyEdge(a="rt-thd", a_port="LAN1", b="sw-thd", b_port="1/0/1"),
            TopologyEdge(a="sw-thd", a_port="1/0/8", b="ap-thd", b_port="eth0"),
        ],
        topology_nodes={"rt-thd": "router", "sw-thd": "switch", "ap-thd": "ap"},
    )
    hk = SiteFacts(
        site_id="hk",
        name=HK,
        address="02 Hoàn Kiếm, phường Nha Trang, tỉnh Khánh Hòa",
        audit_id="a-2025-12-11-hk",
        scanned_at="2025-12-11T02:05:00Z",
        complete=False,
        devices=3,
        devices_answered=2,
        roles={"router": 1, "switch": 2},
        vendors={"TP-Link": 2, "Huawei": 1},
        ports=[
            SwitchPorts(device="sw-hk", model="TP-Link TL-SF1016DS", ports=16, up=15, down=1,
                        free=1, with_errors=0, flapping=2, downgraded=0),
        ],
        links=[
            LinkRow(target="rt-hk (192.168.20.1)", loss_pct=0.0, rtt_avg_ms=1.2, jitter_ms=0.4),
            LinkRow(target="sw-hk-kho (192.168.20.3)", loss_pct=100.0),
        ],
        wired_endpoints=14,
        wifi_endpoints=3,
        wifi_pct=17.6,
        ipv6_phase=0,
        ipv6_scores={"rt-hk": 2, "sw-hk": 1},
        topology=[TopologyEdge(a="rt-hk", a_port="GE0/0/1", b="sw-hk", b_port="1")],
        topology_nodes={"rt-hk": "router", "sw-hk": "switch", "sw-hk-kho": "switch"},
    )
    return [hq, thd, hk]


def _findings() -> list[SiteFinding]:
    def f(site: str, finding: Finding) -> SiteFinding:
        return SiteFinding(site=site, finding=finding)

    return [
        f(HQ, Finding(
            code="PORT-FCS", category="cabling", severity="high", subject="sw-tang2-hv:Fa0/14",
            title="Cổng Fa0/14 của sw-tang2-hv có lỗi CRC/FCS (nghi cáp hỏng)",
            explanation="Giữa hai lần đọc cách nhau 300 giây: 1.842 khung lỗi FCS trên 96.310 "
                        "gói nhận (19.125 phần triệu; ngưỡng 100).",
            recommendation="Đo kiểm và thay đoạn cáp (Cat6), bấm lại đầu RJ45; nếu lỗi còn, "
                           "thay cổng hoặc switch.",
            evidence=[Evidence(source="snmp:EtherLike-MIB", device="sw-tang2-hv", port="Fa0/14",
                               measured={"interval_s": 300, "fcs_errors": 1842,
                                         "packets": 96310, "fcs_ppm": 19125}, at=AT)],
        )),
        f(HQ, Finding(
            code="LINK-LOSS", category="link", severity="high", subject="sw-tang2-hv",
            title="Mất gói trên đường truyền tới sw-tang2-hv",
            explanation="Tỉ lệ mất gói 4% (4/100 gói ICMP, mỗi gói cách nhau 200 ms) tới "
                        "192.168.1.12; ngưỡng cho phép trong mạng LAN là 1%.",
            recommendation="Kiểm tra cáp, đầu nối và cổng switch trên đường tới thiết bị.",
            evidence=[Evidence(source="ping", device="sw-tang2-hv",
                               measured={"target": "192.168.1.12", "sent": 100, "lost": 4,
                                         "loss_pct": 4.0}, at=AT)],
        )),
        f(HQ, Finding(
            code="PORT-SPEED-DOWNGRADE", category="cabling", severity="medium",
            subject="sw-tang2-hv:Gi0/1",
            title="Cổng gigabit Gi0/1 của sw-tang2-hv chỉ chạy 100 Mb/s",
            explanation="Cổng hỗ trợ gigabit (ifHighSpeed tối đa 1000) nhưng đang hoạt động ở "
                        "100 Mb/s; thường do cáp cũ, cáp chỉ đấu 4 sợi hoặc đầu nối hỏng.",
            recommendation="Thay cáp Cat5e/Cat6 đạt chuẩn và kiểm tra thiết bị đầu cuối hỗ trợ "
                           "gigabit.",
            evidence=[Evidence(source="snmp:ifTable", device="sw-tang2-hv", port="Gi0/1",
                               measured={"speed_mbps": 100, "max_speed_mbps": 1000}, at=AT)],
        )),
        f(HQ, Finding(
            code="WIFI-DEPENDENCE", category="wifi", severity="medium", subject=HQ,
            title="Nhiều thiết bị đầu cuối phụ thuộc Wi-Fi",
            explanation="37 trên 78 thiết bị đầu cuối (47,4%) được học sau điểm truy cập Wi-Fi, "
                        "41 qua cổng có dây; ngưỡng 30%.",
            recommendation="Bổ sung cổng mạng có dây (switch truy cập, cáp Cat6) cho vị trí làm "
                           "việc cố định; nâng cấp điểm truy cập Wi-Fi 6.",
            evidence=[Evidence(source="snmp:BRIDGE-MIB", device="sw-tang2-hv",
                               measured={"wifi": 37, "wired": 41, "total": 78,
                                         "wifi_pct": 47.4}, at=AT)],
        )),
        f(HQ, Finding(
            code="IPV6-PHASE", category="ipv6", severity="medium", subject=HQ,
            title=f"Mạng tại {HQ} chưa đạt giai đoạn chạy song song IPv4/IPv6",
            explanation="Theo Chương trình thúc đẩy IPv6 for Gov, điểm này mới đạt giai đoạn 0. "
                        "Còn thiếu: tên miền cổng thông tin chưa có bản ghi AAAA; phân đoạn LAN "
                        "chưa có RA/tiền tố IPv6.",
            recommendation="Lập kế hoạch chuyển đổi IPv6 cho mạng LAN.",
            evidence=[Evidence(source="ipv6:ra", device="scanner-hv",
                               measured={"phase": 0, "interface": "eth0", "window_s": 10,
                                         "ra_received": 0}, at=AT)],
        )),
        f(THD, Finding(
            code="PORT-ERRORS", category="port", severity="medium", subject="sw-thd:1/0/5",
            title="Cổng 1/0/5 của sw-thd có lỗi truyền nhận",
            explanation="Giữa hai lần đọc cách nhau 300 giây: 412 gói lỗi trên 250.118 gói "
                        "(1.647 phần triệu; ngưỡng 1.000).",
            recommendation="Kiểm tra cáp và cổng.",
            evidence=[Evidence(source="snmp:ifTable", device="sw-thd", port="1/0/5",
                               measured={"interval_s": 300, "errors": 412, "packets": 250118,
                                         "error_ppm": 1647}, at="2025-12-10T03:40:00Z")],
        )),
        f(THD, Finding(
            code="IPV6-DEVICE-NOT-READY", category="ipv6", severity="low", subject="ap-thd",
            title="Thiết bị ap-thd chưa được cấu hình IPv6",
            explanation="Mức sẵn sàng IPv6 1/5 (lớp thiết bị RIPE-772: host): không thấy IPv6 "
                        "trên thiết bị.",
            recommendation="Kiểm tra thiết bị có hỗ trợ IPv6; nếu không, đưa vào danh mục thay "
                           "thế.",
            evidence=[Evidence(source="snmp:IP-MIB", device="ap-thd",
                               measured={"score": 1, "ipv6_addresses": 0},
                               at="2025-12-10T03:40:00Z")],
        )),
        f(HK, Finding(
            code="LINK-UNREACHABLE", category="link", severity="high", subject="sw-hk-kho",
            title="Không liên lạc được với sw-hk-kho",
            explanation="Máy quét gửi 20 gói ICMP echo tới 192.168.20.3, không nhận được gói "
                        "trả lời nào.",
            recommendation="Kiểm tra nguồn điện, cáp và cổng nối của thiết bị.",
            evidence=[Evidence(source="ping", device="sw-hk-kho",
                               measured={"target": "192.168.20.3", "sent": 20, "received": 0,
                                         "loss_pct": 100.0}, at="2025-12-11T02:05:00Z")],
        )),
        f(HK, Finding(
            code="PORT-FLAP", category="port", severity="high", subject="sw-hk:7",
            title="Cổng 7 của sw-hk lên/xuống liên tục",
            explanation="Trong 600 giây đo, cổng đổi trạng thái 9 lần (theo ifOperStatus và "
                        "ifLastChange qua 11 lần đọc SNMP).",
            recommendation="Kiểm tra cáp, đầu RJ45 và thiết bị đầu cuối nối vào cổng.",
            evidence=[Evidence(source="snmp:ifTable", device="sw-hk", port="7",
                               measured={"interval_s": 600, "transitions": 9, "samples": 11},
                               at="2025-12-11T02:05:00Z")],
        )),
    ]


_PRICES = {
    "switch-24g-poe": ("Switch 24 cổng gigabit PoE, 4 cổng SFP, quản trị được, hỗ trợ IPv6",
                       18_500_000),
    "cat6-305m": ("Cáp mạng Cat6 UTP (thùng 305 m)", 3_250_000),
    "network-point": ("Thi công điểm mạng (nẹp, hạt mạng, đầu RJ45, đo kiểm)", 450_000),
    "ap-wifi6": ("Điểm truy cập Wi-Fi 6 gắn trần, PoE", 4_800_000),
    "router-ipv6": ("Bộ định tuyến/tường lửa hỗ trợ IPv6 (RIPE-772)", 42_000_000),
    "ipv6-service": ("Dịch vụ cấu hình chuyển đổi IPv6 mạng LAN (trọn gói một trụ sở)",
                     15_000_000),
}


def _task(n: int, year: int, priority: int, site: str, title: str, item: str, unit: str,
          qty: int, answers: list[str], basis: str) -> ProposalTask:
    name, price = _PRICES[item]
    return ProposalTask(id=f"T-{year}-{n}", year=year, priority=priority, site=site, title=title,
                        item=item, item_name=name, unit=unit, quantity=qty,
                        unit_price_vnd=price, cost_vnd=qty * price, answers=answers, basis=basis)


def _proposal() -> Proposal:
    tasks = [
        _task(1, 2026, 1, HQ, "Thay switch tầng 2 trụ sở chính", "switch-24g-poe", "cái", 1,
              ["PORT-FCS sw-tang2-hv:Fa0/14", "LINK-LOSS sw-tang2-hv"],
              "1 switch có cổng lỗi FCS và mất gói 4%"),
        _task(2, 2026, 1, HQ, "Thay cáp mạng tầng 2 trụ sở chính", "cat6-305m", "thùng", 2,
              ["PORT-SPEED-DOWNGRADE sw-tang2-hv:Gi0/1", "PORT-FCS sw-tang2-hv:Fa0/14"],
              "3 cổng chạy dưới tốc độ gigabit, trung bình 25 m mỗi đường, dự phòng"),
        _task(3, 2026, 1, HK, "Thay switch trụ sở 02 Hoàn Kiếm", "switch-24g-poe", "cái", 1,
              ["PORT-FLAP sw-hk:7", "LINK-UNREACHABLE sw-hk-kho"],
              "1 switch 16 cổng còn 1 cổng trống, cổng 7 chập chờn"),
        _task(4, 2027, 4, HQ, "Bổ sung điểm mạng có dây cho vị trí làm việc cố định",
              "network-point", "điểm", 30, ["WIFI-DEPENDENCE " + HQ],
              "37 thiết bị dùng Wi-Fi, giả định 80% ở vị trí cố định"),
        _task(5, 2027, 4, HQ, "Thay điểm truy cập Wi-Fi 6", "ap-wifi6", "cái", 2,
              ["WIFI-DEPENDENCE " + HQ], "2 điểm truy cập hiện có"),
        _task(6, 2028, 3, HQ, "Thay bộ định tuyến hỗ trợ IPv6 trụ sở chính", "router-ipv6", "cái",
              1, ["IPV6-PHASE " + HQ], "bộ định tuyến mức sẵn sàng IPv6 3/5"),
        _task(7, 2028, 3, HQ, "Cấu hình chuyển đổi IPv6 mạng LAN trụ sở chính", "ipv6-service",
              "gói", 1, ["IPV6-PHASE " + HQ], "1 trụ sở ở giai đoạn 0"),
        _task(8, 2029, 3, THD, "Thay điểm truy cập Wi-Fi chưa hỗ trợ IPv6", "ap-wifi6", "cái", 1,
              ["IPV6-DEVICE-NOT-READY ap-thd"], "1 điểm truy cập mức sẵn sàng IPv6 1/5"),
    ]
    by_year: dict[int, int] = {}
    by_site: dict[str, int] = {}
    for t in tasks:
        by_year[t.year] = by_year.get(t.year, 0) + t.cost_vnd
        by_site[t.site] = by_site.get(t.site, 0) + t.cost_vnd
    prices = [
        CatalogNote(item=item, name=name, unit_price_vnd=price,
                    source="Giá tham khảo mẫu dùng cho kiểm thử (không phải báo giá)",
                    date="2025-11-30")
        for item, (name, price) in _PRICES.items()
    ]
    return Proposal(tasks=tasks, totals_by_year=by_year, totals_by_site=by_site,
                    total_vnd=sum(t.cost_vnd for t in tasks), prices=prices)


def sample_report() -> AgencyReport:
    meta = ReportMeta(
        parent_org="ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA",
        agency_name="THANH TRA TỈNH",
        number="Số:       /BC-TTT",
        place="Khánh Hòa",
        date="2025-12-15",
        year=2025,
        title="Kết quả kiểm tra hiện trạng hạ tầng số năm 2025",
        addressee="Sở Khoa học và Công nghệ tỉnh Khánh Hòa",
        recipients=["UBND tỉnh (b/cáo);", "Sở Khoa học và Công nghệ;",
                    "Chánh Thanh tra tỉnh (b/cáo);", "Lưu: VT, VP."],
        signer_title="KT. CHÁNH THANH TRA\nPHÓ CHÁNH THANH TRA",
        signer_name="Trương Thanh Phong",
    )
    return AgencyReport(meta=meta, sites=_sites(), findings=_findings(), proposal=_proposal(),
                        missing_sites=[BA])
