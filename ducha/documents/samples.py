"""One example of each document the platform issues, for the demo, the tests and visual review.

督查通知 to a unit behind schedule after the September reconciliation (S2.4), the monthly 通报
with a two-level figures table (S2.8), and a 提醒函 from a lead unit to a slow co-unit, reported
to the vice mayor and the mayor and copied to the supervision office (S1.4).
"""

from __future__ import annotations

from datetime import date

from .model import DocNumber, HeaderCell, Heading, OfficialDocument, Paragraph, Table

OFFICE = "南阳市人民政府督查室"


def sample_notice() -> OfficialDocument:
    return OfficialDocument(
        kind="notice",
        issuer=OFFICE,
        issuer_suffix="文件",
        number=DocNumber("宛督", 2026, 12),
        copy_number="000123",
        urgency="加急",
        title="关于加快推进2026年度重点工作滞后事项的督查通知",
        recipients=("市发展和改革委员会", "市财政局"),
        body=(
            Paragraph("根据市政府2026年度重点工作台账9月对账情况，你单位牵头的部分重点工作进度滞后于"
                      "时序要求。为确保全年目标任务如期完成，现将有关事项通知如下。"),
            Heading(1, "滞后事项", number=1),
            Paragraph("截至9月30日，“城市更新片区改造”“营商环境评价整改”等3项工作完成进度低于时间进度，"
                      "具体情况见附件。"),
            Heading(1, "工作要求", number=2),
            Heading(2, "压实工作责任。", number=1,
                    tail="各单位主要负责同志要亲自研究部署，逐项明确责任领导、责任人和完成时限。"),
            Heading(2, "按时报送进展。", number=2,
                    tail="请于10月15日前将整改措施和进展情况报送市政府督查室。"),
            Heading(3, "逾期未报送的，将在月度通报中予以通报。", number=1),
        ),
        attachments=("2026年度重点工作滞后事项清单", "整改情况报送表"),
        signature=OFFICE,
        date=date(2026, 9, 28),
        note="联系人：张明，联系电话：0377-63100000",
        cc=("市委督查室",),
        reported_to=("张副市长", "李市长"),
        printed_by="南阳市人民政府督查室",
        printed_date=date(2026, 9, 28),
    )


def sample_bulletin() -> OfficialDocument:
    table = Table(
        caption="2026年8月重点工作推进情况统计表",
        header=(
            (HeaderCell("序号", rowspan=2), HeaderCell("责任单位", rowspan=2),
             HeaderCell("承办事项", rowspan=2), HeaderCell("办理情况", colspan=3)),
            ("已完成", "推进中", "已逾期"),
        ),
        rows=(
            ("1", "市发展和改革委员会", "12", "8", "3", "1"),
            ("2", "市财政局", "9", "6", "3", "0"),
            ("3", "宛城区人民政府", "15", "9", "4", "2"),
        ),
        column_widths=(1, 4, 1.6, 1.6, 1.6, 1.6),
    )
    return OfficialDocument(
        kind="bulletin",
        issuer=OFFICE,
        issuer_suffix="文件",
        number=DocNumber("宛督", 2026, 9),
        title="关于2026年8月份全市重点工作推进情况的通报",
        recipients=("各县（市、区）人民政府", "城乡一体化示范区、高新区、鸭河工区、官庄工区管委会", "市直各单位"),
        body=(
            Paragraph("按照“一月一研究、一月一安排、一月一督办、一月一通报、一月一结账”工作要求，"
                      "市政府督查室对8月份全市重点工作推进情况进行了督查，现将有关情况通报如下。"),
            Heading(1, "总体情况", number=1),
            Paragraph("8月份，纳入台账管理的重点工作共36项，已完成23项，推进中10项，逾期3项。"),
            table,
            Heading(1, "下步要求", number=2),
            Paragraph("对逾期事项，责任单位要认真分析原因，制定整改措施，于9月10日前报送市政府督查室。"),
        ),
        signature=OFFICE,
        date=date(2026, 9, 5),
        cc=("市委督查室",),
        reported_to=("市长", "各副市长"),
        printed_by="南阳市人民政府督查室",
        printed_date=date(2026, 9, 5),
    )


def sample_letter() -> OfficialDocument:
    return OfficialDocument(
        kind="letter",
        issuer="南阳市发展和改革委员会",
        number=DocNumber("宛发改函", 2026, 37),
        title="关于加快推进中心城区供热管网改造配合工作的提醒函",
        recipients=("市城市管理局",),
        body=(
            Paragraph("按照市政府2026年度重点工作安排，中心城区供热管网改造由我委牵头、你局配合实施。"
                      "目前你局承担的道路开挖审批事项已超过约定时限10个工作日，且未报送进展情况，"
                      "影响了整体工作进度。"),
            Paragraph("请你局高度重视，于收到本函后5个工作日内完成相关审批，并将办理结果反馈我委。"),
            Paragraph("特此函告。"),
        ),
        signature="南阳市发展和改革委员会",
        date=date(2026, 5, 15),
        reported_to=("王副市长", "李市长"),
        cc=(OFFICE,),
    )


SAMPLES = {"notice": sample_notice, "bulletin": sample_bulletin, "letter": sample_letter}
