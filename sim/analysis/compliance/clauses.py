"""The clauses of the 2017 Zhengzhou "Safe Mall" plan and of GB 50016 that we check.

IDs and wording follow ``docs/standards.md`` (the plan, Zheng Gong Tong [2017] No. 64,
clause by clause in English, with our readings). ``kind`` says how a clause is checked:
``static`` from the layout and the security plan, ``drills`` from the drill and training
log, ``document`` only by a document review (reported ``not_specified`` unless the log's
``[[documents]]`` table records a review), ``egress`` from the layout against GB 50016.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Clause:
    """One checkable clause; ``zh`` is its title in the words of the Chinese original
    (the Zhengzhou plan, 郑公通〔2017〕64号, or GB 50016-2014)."""

    id: str
    title: str
    kind: str
    zh: str = ""


CLAUSES: Final[tuple[Clause, ...]] = (
    Clause("SM-1.1", "Leadership responsible; every employee 'one post, two duties'", "document",
           "落实商场安全主体责任，建立领导负责和员工“一岗双责”安防责任体系"),
    Clause("SM-1.2a", "Written security rules and emergency plans, posted", "document",
           "健全安全管理制度，完善应急处置预案，制度上墙"),
    Clause("SM-1.2b", "Monthly security training (mall staff and joint-defence shops)", "drills",
           "每月组织联防商户开展一次员工安全教育培训"),
    Clause("SM-1.2c", "Quarterly drills: fire, robbery, hostage, attack, sabotage, explosion",
           "drills",
           "每季度开展一次应急预案演练（火灾、抢劫、劫持人质、行凶杀人、破坏、爆炸）"),
    Clause("SM-1.3a", "Dedicated security department with full-time staff", "static",
           "设立专职保卫机构，配备专职保卫人员"),
    Clause("SM-1.3b", "Full-time guards by sales floor area", "static",
           "按商场营业面积配备足额专职保安"),
    Clause("SM-1.3c", "Patrol team; uniforms, red armbands, batons, tear gas", "static",
           "成立专职安防巡逻队，统一着制式服装、佩戴红袖标，配备电警棍、催泪瓦斯"),
    Clause("SM-1.3d", "Internal defence team of 5-10 with leader, deputy, liaison", "static",
           "建立5至10人的内部防范组织，设组长、副组长和工作联络员"),
    Clause("SM-1.3e", "An officer in every shop; groups of 5-10 adjacent shops", "static",
           "每个店铺明确一名保卫专干；5-10家相邻店铺组成治安联防小组"),
    Clause("SM-1.4a", "Alarm devices at the gate, CCTV room and 24-h duty room", "static",
           "在门卫、视频监控室、24小时值班室设置应急警报装置"),
    Clause("SM-1.4b", "Attack response: move crowd, first defence, call police", "document",
           "暴恐事件中迅速组织群众转移、先期防护并立即报警"),
    Clause("SM-1.4c", "CCTV: perimeter, gates, passages, entrances, car parks, finance room",
           "static",
           "建立视频监控中心，周界、大门口、通道和出入口、停车场、财务室安装视频监控探头"),
    Clause("SM-1.4d", "Emergency lighting, PA and fire systems in every public space", "static",
           "安装完善应急照明系统、广播系统、消防系统"),
    Clause("SM-1.4e", "Enough anti-riot forks, batons and shields", "static",
           "配备足够的防暴叉、防暴棍、防暴盾牌等防护器材"),
    Clause("SM-1.4f", "Physical isolation at the main entrances", "static",
           "在主要出入口设施物理隔离"),
    Clause("SM-1.4g", "Monitoring centre linked to the police alarm platform", "static",
           "视频监控中心接入公安机关报警平台"),
    Clause("SM-1.5", "Speed bumps and signs; barriers at every door reachable by road",
           "static",
           "周边设置减速带、警示标志；门口设置隔离栏、升降柱等硬质防冲撞设施"),
    Clause("SM-2", "Risk register, rectified with deadlines, updated monthly", "document",
           "安全风险排查整改，隐患定措施、定时限、定责任人，每月更新"),
    Clause("SM-3", "Police grid patrols around the mall", "document",
           "公安机关在商场周边网格化巡逻，定人、定岗、定责"),
    Clause("SM-4", "Traffic safety around the mall", "document",
           "商场周边交通安全（警示标志、人行横道、信号灯）"),
    Clause("SM-5a", "Threat information gathered and reported early", "document",
           "情报信息早发现、早报告"),
    Clause("SM-5b", "Alarm devices linked to the police platform; online patrol system",
           "static",
           "应急报警装置与公安机关报警平台联网，建立网上巡查制度"),
    Clause("SM-5c", "Guards and staff serve as police informants", "document",
           "保安员、安保人员和营业员担任信息员"),
    Clause("GB50016-5.5.21a", "Exterior door width at grade per 100 persons", "egress",
           "首层外门的总净宽度（每100人最小疏散净宽度）"),
    Clause("GB50016-5.5.21b", "Stair width per floor per 100 persons", "egress",
           "各层疏散楼梯的总净宽度（每100人最小疏散净宽度）"),
    Clause("GB50016-5.5.17", "Travel distance in sales halls", "egress",
           "营业厅内任一点至安全出口或疏散楼梯间的疏散距离"),
    Clause("GB50016-5.5.18", "Minimum widths of doors, corridors and stairs", "egress",
           "疏散门、走道和疏散楼梯的最小净宽度"),
    Clause("GB50016-5.5.8", "At least two safety exits per floor", "egress",
           "每层安全出口不少于2个"),
)

BY_ID: Final = {c.id: c for c in CLAUSES}
#: Clauses that only a document review can judge.
DOCUMENT_CLAUSES: Final = tuple(c.id for c in CLAUSES if c.kind == "document")


def title(clause_id: str, lang: str = "en") -> str:
    """The short title of a clause (``lang = "zh"``: in the words of the Chinese original)."""
    c = BY_ID[clause_id]
    return c.zh if lang == "zh" and c.zh else c.title
