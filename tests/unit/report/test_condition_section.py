"""Section 3 and the plan say what the devices' own condition, the endpoints and the links
measured: the sample agency's real audits, each with one fault of a kind set on one device, are
rendered and read back (Markdown body, Phụ lục I/II rows)."""

from __future__ import annotations

import re

import pytest

from infraaudit.models import AuditDocument, Duplex
from infraaudit.models.device_health import CpuSample, DeviceHealth, MemorySample, Sensor
from infraaudit.models.endpoints import SharedPort
from infraaudit.report import build_report, load_agency
from infraaudit.report.render import render_markdown
from tests.report_sample import AGENCY, DATE, sample_audits


def _device(doc: AuditDocument, name: str):  # type: ignore[no-untyped-def]
    return next(d for d in doc.devices if d.name == name)


def _faulty() -> dict[str, AuditDocument]:
    audits = sample_audits()
    hv, trhd = audits["ttt-kh-hung-vuong"], audits["ttt-kh-tran-hung-dao"]
    hk, ba = audits["ttt-kh-hoan-kiem"], audits["ttt-kh-bao-an"]
    # the Hoàn Kiếm router: CPU held at 91 % and 96 % over the scan's two reads, memory 95 %
    rt = _device(hk, "rt-hoankiem")
    rt.health = DeviceHealth(family="generic", cpu=[
        CpuSample(poll=1, percent=91.0, processors=[91.0], source="hrProcessorLoad"),
        CpuSample(poll=2, percent=96.0, processors=[96.0], source="hrProcessorLoad")],
        memory=[MemorySample(poll=p, percent=95.0, source="hrStorage") for p in (1, 2)])
    # the Bảo An switch: a failed fan and a power supply
    sw = _device(ba, "sw-baoan")
    sw.health = DeviceHealth(family="cisco", sensors=[
        Sensor(kind="fan", index="1", name="Fan 1", state="failed", source="ciscoEnvMonFan"),
        Sensor(kind="power", index="2", name="PS 2", state="critical", source="ciscoEnvMonSupply"),
        Sensor(kind="temperature", index="3", name="Inlet", value=71.0, threshold=65.0,
               unit="°C", state="ok", source="ciscoEnvMonTemperature")])
    # Trần Hưng Đạo: four endpoints behind one access port (a desk switch)
    assert trhd.endpoints is not None
    trhd.endpoints.shared_ports = [SharedPort(
        device="sw-trhd", device_host=_device(trhd, "sw-trhd").host, port="5", if_index=5,
        macs=[f"02:00:00:00:00:0{i}" for i in range(4)], vendors=[None] * 4)]
    # the main site: the core switch's end of the link to floor 1 runs half duplex
    core = _device(hv, "sw-core-hungvuong")
    next(p for p in core.ports if p.name == "Gi1/0/2").duplex = Duplex.HALF
    return audits


@pytest.fixture(scope="module")
def text() -> str:
    report = build_report(load_agency(AGENCY), 2025, DATE, audits=_faulty(), read_history=False)
    return render_markdown(report)


def _bullet(text: str, lead: str) -> str:
    match = re.search(rf"^- {re.escape(lead)}(.*)$", text, re.M)
    assert match, lead
    return match.group(1)


def test_failed_hardware_is_a_worn_device(text: str) -> None:
    worn = _bullet(text, "Thiết bị kết nối mạng xuống cấp: ")
    assert ("; switch tại trụ sở số 374 đường 21 tháng 8 (Cisco WS-C3750G-12S-S) hỏng quạt làm "
            "mát, hỏng bộ nguồn và có nhiệt độ vượt ngưỡng cảnh báo của thiết bị;") in worn


def test_a_loaded_router_is_named_with_its_reads_and_threshold(text: str) -> None:
    load = _bullet(text, "Thiết bị không đáp ứng đủ tải: ")
    # one device over both thresholds: named once, with both loads
    assert ("; bộ định tuyến tại trụ sở số 02 Hoàn Kiếm có tải bộ xử lý (CPU) 91% trở lên ở cả "
            "02 lần đo (ngưỡng 80%) và bộ nhớ đã sử dụng 95% trở lên ở cả 02 lần đo "
            "(ngưỡng 90%);") in load
    assert load.count("Hoàn Kiếm") == 1
    assert "chưa ghi nhận thiết bị có tải bộ xử lý" not in load


def test_a_shared_port_is_evidence_of_too_few_cables(text: str) -> None:
    cabling = _bullet(text, "Hệ thống dây dẫn cũ, hỏng: ")
    assert ("01 cổng mạng tại trụ sở số 20 Trần Hưng Đạo đang được dùng chung cho 04 thiết bị "
            "đầu cuối qua hub hoặc switch để bàn") in cabling
    assert cabling.endswith("chưa đủ cho các vị trí làm việc.")
    appendix = text[text.index("## Phụ lục I"):]
    assert "01 cổng được dùng chung cho nhiều thiết bị đầu cuối" in appendix


def test_a_duplex_mismatch_across_a_link_is_an_unstable_network(text: str) -> None:
    unstable = _bullet(text, "Kết nối mạng thiếu ổn định: ")
    assert ("đường kết nối giữa switch tại trụ sở chính (Cisco WS-C3750G-12S-S) và switch tại "
            "trụ sở chính (D-Link DES-3200-26) lệch chế độ song công (duplex) ở hai đầu"
            ) in unstable
    assert ("giao thức chống lặp vòng (STP) trên 04 switch tại trụ sở chính, trụ sở số 20 Trần "
            "Hưng Đạo và trụ sở số 02 Hoàn Kiếm") in unstable
    assert "cao nhất khoảng 18 lần mỗi ngày" in unstable
    assert "Wi-Fi" not in unstable  # a site over the Wi-Fi threshold has its own bullet


def test_a_site_that_depends_on_wi_fi_has_its_own_bullet(text: str) -> None:
    """VIETNAMESE.md §4 "Wi-Fi dependence": the site over the threshold first, then the others
    measured and those with no access point read."""
    wifi = _bullet(text, "Kết nối mạng phụ thuộc vào Wi-Fi: ")
    assert wifi.startswith("21/27 thiết bị đầu cuối (77,8%) tại trụ sở số 20 Trần Hưng Đạo kết "
                           "nối qua mạng Wi-Fi, vượt ngưỡng 30%; số cổng mạng có dây còn trống "
                           "là 18; ")
    assert "tại trụ sở chính, 25,6% thiết bị đầu cuối kết nối qua Wi-Fi (dưới ngưỡng 30%)" in wifi
    assert wifi.endswith("đề nghị bổ sung để đo kiểm trong đợt tiếp theo.")


def test_the_plan_services_what_is_not_replaced(text: str) -> None:
    """The service visit names its reasons; a device replaced anyway is not also serviced for
    its own condition (the Bảo An switch is past its service life)."""
    tasks = text[text.index("## Phụ lục II"):]
    rows = [r for r in tasks.splitlines() if "cần kiểm tra, khắc phục tại chỗ" in r]
    hoan_kiem = next(r for r in rows if "Hoàn Kiếm" in r)
    assert "quá tải bộ xử lý (CPU); gần hết bộ nhớ" in hoan_kiem and "rt-hoankiem" in hoan_kiem
    main = next(r for r in rows if "Trụ sở chính" in r)
    assert "lệch chế độ song công ở hai đầu đường kết nối" in main
    assert "sw-core-hungvuong" in main
    replaced = [r for r in tasks.splitlines()
                if "Đã quá thời gian sử dụng" in r and r.endswith("| sw-baoan |")]
    assert len(replaced) == 1, "the Bảo An switch is replaced"
    # ... in the urgent year, its failed parts named among the reasons, not serviced first
    assert "| 2026 |" in replaced[0]
    assert "quạt làm mát bị hỏng; bộ nguồn bị hỏng; nhiệt độ vượt ngưỡng cảnh báo" in replaced[0]
    assert not any("sw-baoan" in r and "hỏng quạt" in r for r in rows)
