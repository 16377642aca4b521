"""The demo city's plan: 宜昌's real codes (GB/T 2260 counties, GB/T 4754 industries) and the fictional
bodies built on them — departments, the eleven pillar industries with their trades, schools, name words,
board terms. Data only; ``city.py`` builds the database rows from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from chanjiao.orgs.models import EnterpriseSize, OrgKind

SEED = 2016
DEMO_PASSWORD = "Chanjiao@2026"
CITY_CODE = "4205"  # as the regions catalog codes a prefecture-level city (4 digits)
# 宜昌's districts and counties (GB/T 2260).
COUNTIES = {
    "420502": "西陵区", "420503": "伍家岗区", "420504": "点军区", "420505": "猇亭区", "420506": "夷陵区",
    "420525": "远安县", "420526": "兴山县", "420527": "秭归县", "420528": "长阳土家族自治县",
    "420529": "五峰土家族自治县", "420581": "宜都市", "420582": "当阳市", "420583": "枝江市",
}
URBAN = ["420502", "420503", "420504", "420505", "420506"]

BUREAU = "宜昌市教育局"
# (name, short name, industry authority?)
DEPARTMENTS = [
    (BUREAU, "市教育局", False),
    ("宜昌市商务局", "市商务局", True),
    ("宜昌市农业农村局", "市农业农村局", True),
    ("宜昌市卫生健康委员会", "市卫健委", True),
    ("宜昌市经济和信息化局", "市经信局", True),
    ("宜昌市文化和旅游局", "市文旅局", True),
    ("中共宜昌市委宣传部", "市委宣传部", True),
    ("宜昌市交通运输局", "市交通运输局", True),
    ("宜昌市住房和城乡建设局", "市住建局", True),
    ("宜昌市市场监督管理局", "市市场监管局", True),
    ("宜昌市人力资源和社会保障局", "市人社局", True),
    ("宜昌市发展和改革委员会", "市发改委", False),
]


@dataclass(frozen=True)
class Pillar:
    name: str
    codes: tuple[str, ...]  # the GB/T 4754-2017 codes the pillar maps onto (大类 / 中类 / 小类)
    director: str  # a department's short name, or "" for the pillar's leading enterprise
    subject: str  # the secretary school's flagship major


# The seed names 电子商务、现代农业、医药健康、化工、文化、旅游 "等11个"; the other five follow 宜昌's
# published 百亿 industries. 9 committees are chaired by departments, 2 by leading enterprises
# (the seed: 2019 symposia ran with 9 departments through 9 committees).
PILLARS = [
    Pillar("电子商务", ("5193", "5292", "6431", "6432"), "市商务局", "电子商务"),
    Pillar("现代农业", ("01", "03", "05"), "市农业农村局", "现代农艺技术"),
    Pillar("医药健康", ("27", "84"), "市卫健委", "护理"),
    Pillar("精细化工", ("26",), "", "化学工艺"),
    Pillar("文化创意", ("6572", "725", "7284", "86", "87", "88"), "市委宣传部", "数字影像技术"),
    Pillar("旅游服务", ("5422", "5512", "61", "62", "7291", "786"), "市文旅局", "旅游服务与管理"),
    Pillar("装备制造", ("34", "35", "38"), "市经信局", "机电技术应用"),
    Pillar("电子信息", ("39", "65"), "", "计算机应用"),
    Pillar("现代物流", ("543", "5523", "5532", "58", "59", "7224"), "市交通运输局", "物流服务与管理"),
    Pillar("食品饮料", ("13", "14", "15"), "市市场监管局", "食品生物工艺"),
    Pillar("建筑建材", ("301", "302", "47", "48", "50"), "市住建局", "建筑工程施工"),
]

# What each pillar's enterprises do: GB/T 4754-2017 小类 → the words a firm with that main activity has in
# its name. An enterprise is generated from one entry, so its code and its name always agree (a 旅行社 is
# 7291, an inland shipping firm 5523 内河货物运输, never a 海上 code); a word belongs to one entry only.
TRADES: dict[str, dict[str, tuple[str, ...]]] = {
    "电子商务": {
        "5292": ("电子商务", "网络零售"),
        "5193": ("网络批发", "电商批发"),
        "6431": ("产业互联网", "工业互联"),
        "6432": ("网络科技", "本地生活"),
    },
    "现代农业": {
        "0153": ("柑橘产业", "柑橘种植"),
        "0164": ("茶叶种植", "生态茶园"),
        "0141": ("蔬菜种植", "生态农业"),
        "0171": ("中药材种植", "药材种植"),
        "0313": ("生猪养殖", "畜牧养殖"),
        "0321": ("家禽养殖", "禽业"),
        "0511": ("种业", "种苗"),
        "0512": ("农机服务", "农机作业"),
    },
    "医药健康": {
        "2710": ("原料药", "化学制药"),
        "2720": ("药业", "制药"),
        "2740": ("中药", "中成药"),
        "2761": ("生物制药", "生物医药"),
        "2770": ("医用材料", "医疗用品"),
        "8491": ("健康管理", "健康体检"),
        "8415": ("专科医院", "康复医院"),
    },
    "精细化工": {
        "2622": ("磷化工", "磷肥"),
        "2624": ("复合肥", "肥业"),
        "2613": ("磷酸盐", "无机盐"),
        "2614": ("有机化工", "化工"),
        "2662": ("精细化学", "精细化工"),
        "2641": ("涂料", "涂装材料"),
    },
    "文化创意": {
        "8730": ("影视传媒", "影视文化"),
        "8810": ("文化艺术", "演艺"),
        "7259": ("文化传媒", "广告传媒"),
        "8626": ("数字出版", "出版传媒"),
        "6572": ("动漫", "数字创意"),
        "7284": ("文化会展", "会展"),
    },
    "旅游服务": {
        "7291": ("旅行社", "国际旅行社"),
        "7861": ("旅游开发", "景区管理"),
        "6110": ("大酒店", "酒店"),
        "6130": ("民宿", "乡村客栈"),
        "6210": ("餐饮", "酒楼"),
        "5422": ("旅游客运", "旅游汽车"),
        "5512": ("游轮", "内河客运"),
    },
    "装备制造": {
        "3414": ("水电设备", "水轮机"),
        "3443": ("阀门", "流体控制"),
        "3453": ("齿轮传动", "减速机"),
        "3484": ("机械", "精密机械"),
        "3514": ("工程机械", "建筑机械"),
        "3491": ("智能装备", "机器人"),
        "3823": ("电气", "电力设备"),
        "3812": ("电机", "电动机"),
    },
    "电子信息": {
        "3976": ("光电", "光电子"),
        "3982": ("电子", "电路板"),
        "3973": ("半导体", "芯片"),
        "6513": ("软件", "软件开发"),
        "6531": ("信息技术", "系统集成"),
        "6532": ("物联网", "智能物联"),
        "6550": ("数据科技", "大数据"),
    },
    "现代物流": {
        "5431": ("物流", "货运"),
        "5437": ("城市配送", "快运"),
        "5523": ("港航", "航运"),
        "5532": ("港务", "港口"),
        "5821": ("货运代理", "国际货运代理"),
        "5920": ("仓储", "仓储物流"),
        "5930": ("冷链物流", "冷链"),
        "7224": ("供应链", "供应链管理"),
    },
    "食品饮料": {
        "1512": ("酒业", "白酒"),
        "1530": ("茶业", "茶叶加工"),
        "1353": ("肉制品", "肉食品"),
        "1373": ("果业", "果品加工"),
        "1331": ("粮油", "油脂"),
        "1523": ("饮品", "果汁饮料"),
        "1462": ("调味品", "酿造"),
        "1432": ("食品", "速冻食品"),
    },
    "建筑建材": {
        "4710": ("建设工程", "建筑工程"),
        "4813": ("市政工程", "路桥"),
        "4822": ("水利建设", "水利工程"),
        "5011": ("装饰工程", "建筑装饰"),
        "5012": ("家装", "住宅装饰"),
        "3011": ("水泥", "建材"),
        "3021": ("混凝土", "水泥制品"),
    },
}

# (name, level, county, pillar index of its specialty or None)
HIGHER = [
    ("宜昌示范职业技术学院", "420502", (0, 4, 5, 7)),
    ("宜昌示范医药健康职业学院", "420503", (2, 1, 9)),
    ("宜昌示范工程职业学院", "420505", (3, 6, 8, 10)),
]
SECONDARY = [
    ("宜昌示范商贸职业学校", "420502", 0), ("宜昌示范农业职业学校", "420506", 1),
    ("宜昌示范卫生学校", "420503", 2), ("宜昌示范化工技工学校", "420505", 3),
    ("宜昌示范艺术职业学校", "420502", 4), ("宜昌示范旅游学校", "420504", 5),
    ("宜昌示范机电工程学校", "420503", 6), ("宜昌示范信息技术学校", "420502", 7),
    ("宜昌示范交通职业学校", "420503", 8), ("宜昌示范食品工业学校", "420506", 9),
    ("宜昌示范建筑职业学校", "420506", 10),
    ("宜昌示范夷陵职业教育中心", "420506", None), ("宜昌示范远安职业教育中心", "420525", None),
    ("宜昌示范兴山职业教育中心", "420526", None), ("宜昌示范秭归职业教育中心", "420527", None),
    ("宜昌示范长阳职业教育中心", "420528", None), ("宜昌示范五峰职业教育中心", "420529", None),
    ("宜昌示范宜都职业教育中心", "420581", None), ("宜昌示范当阳职业教育中心", "420582", None),
    ("宜昌示范枝江职业教育中心", "420583", None),
]

NAME_WORDS = ["长江", "三峡", "峡江", "清江", "夷陵", "西陵", "楚天", "鄂西", "屈乡", "昭君", "葛洲", "磨基",
              "龙盘", "东山", "港城", "橙乡", "茶乡", "金山", "银河", "华曦", "瑞丰", "恒达", "鼎盛", "宏远",
              "博远", "汇通", "联创", "新锐", "远航", "天成", "同创", "泰和", "嘉禾", "丰源", "安达", "启明"]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建文辉力斌宇浩凯鹏俊峰晨欣怡婷雪琳佳慧博睿哲轩"
ROLE_TITLES = {OrgKind.ENTERPRISE: ["人力资源部经理", "总经理", "培训主管", "行政部主任"],
               OrgKind.SCHOOL: ["校长", "教务处主任", "招生就业处主任", "校企合作办主任"],
               OrgKind.DEPARTMENT: ["局长", "副局长", "科长", "职教处处长"]}
SUBJECTS_BY_PILLAR = {p.name: p.subject for p in PILLARS}

# Headcount that agrees with the size (the 从业人员 bands of 统计上大中小微型企业划分办法 for industry:
# 大型 ≥ 1000, 中型 300–999, 小型 20–299, 微型 < 20).
HEADCOUNT = {EnterpriseSize.LARGE: (1000, 6000), EnterpriseSize.MEDIUM: (300, 999),
             EnterpriseSize.SMALL: (20, 299), EnterpriseSize.MICRO: (5, 19)}
# A 双师型 teacher in the demo has worked in industry: at least the six months of enterprise practice that
# TP-01 (policy-rules.md) asks of subject teachers; other teachers may have none.
DUAL_MIN_ENTERPRISE_YEARS = Decimal("0.5")

TERM_1 = (dt.date(2013, 6, 28), dt.date(2016, 10, 19))
TERM_2_START = dt.date(2016, 10, 20)
COMMITTEE_FOUNDED = TERM_2_START

# ------------------------------------------------------------------------------------------- size of the city
# Large enough that the matching-cycle figures are not artefacts (issue #9 point 11: ≥ 1,500 of each).
DEFAULT_ENTERPRISES = 1600
DEFAULT_TEACHERS = 1600
MIN_TEACHERS_PER_SCHOOL = 4
# Teaching staff per school, as weights: the three colleges are the largest, county centres the smallest.
TEACHER_WEIGHTS = {"higher": 10, "specialty": 4, "county": 3}
GENERAL_SUBJECTS = ["语文", "数学", "英语", "思想政治", "体育与健康", "信息技术", "历史"]
# Teacher categories (TP-01 binds 专业课教师 and 实习指导教师): share of each among a school's teachers.
TEACHER_CATEGORY_SHARES = (("subject", 0.75), ("instructor", 0.12), ("general", 0.13))

# ---------------------------------------------------------------------------- the matching cycle 2017–2020
YEARS = (2017, 2018, 2019, 2020)
# The year's outcomes the demo's records add up to. 2019 is the seed article's (10 symposia with 9
# departments through 9 committees; 118 enterprises attended; 131 合作意向书; 1,077 enterprises visited;
# 1,554 person-times of teacher practice; 108 order classes with 7,053 students). The other years are
# invented: growth to 2019, and a dip in 2020 (the epidemic stopped visits and placements in spring).
YEAR_FIGURES: dict[int, dict[str, int]] = {
    2017: {"symposium_enterprises": 74, "intent_agreements": 86, "visited_enterprises": 712,
           "practice_person_times": 1126, "order_classes": 73, "order_class_students": 4528},
    2018: {"symposium_enterprises": 96, "intent_agreements": 109, "visited_enterprises": 904,
           "practice_person_times": 1347, "order_classes": 91, "order_class_students": 5862},
    2019: {"symposium_enterprises": 118, "intent_agreements": 131, "visited_enterprises": 1077,
           "practice_person_times": 1554, "order_classes": 108, "order_class_students": 7053},
    2020: {"symposium_enterprises": 69, "intent_agreements": 94, "visited_enterprises": 663,
           "practice_person_times": 1012, "order_classes": 97, "order_class_students": 6174},
}
# The symposia held: (pillar index, month, day, co-hosting departments by short name, special session or "").
# 2019: one per department-chaired committee, and 医药健康 a second time in 枝江 → 10 symposia, 9 departments,
# 9 committees. The two committees chaired by a leading enterprise co-host with 市经信局 when they hold one.
SYMPOSIA: dict[int, list[tuple[int, int, int, tuple[str, ...], str]]] = {
    2017: [(0, 4, 20, ("市商务局",), ""), (1, 5, 11, ("市农业农村局",), ""), (2, 5, 25, ("市卫健委",), ""),
           (3, 6, 8, ("市经信局",), ""), (5, 9, 21, ("市文旅局",), ""), (6, 10, 19, ("市经信局",), ""),
           (9, 11, 9, ("市市场监管局",), "")],
    2018: [(0, 4, 12, ("市商务局",), ""), (1, 4, 26, ("市农业农村局",), ""), (2, 5, 17, ("市卫健委",), ""),
           (4, 6, 7, ("市委宣传部",), ""), (5, 6, 21, ("市文旅局",), ""), (6, 9, 20, ("市经信局",), ""),
           (8, 10, 18, ("市交通运输局",), ""), (9, 11, 8, ("市市场监管局",), ""),
           (0, 11, 22, ("市商务局",), "农村电商专场")],
    2019: [(0, 4, 11, ("市商务局",), ""), (1, 4, 25, ("市农业农村局",), ""), (2, 5, 16, ("市卫健委",), ""),
           (4, 5, 30, ("市委宣传部",), ""), (5, 6, 13, ("市文旅局",), ""), (6, 6, 27, ("市经信局",), ""),
           (8, 9, 19, ("市交通运输局",), ""), (9, 10, 17, ("市市场监管局",), ""), (10, 11, 7, ("市住建局",), ""),
           (2, 11, 21, ("市卫健委",), "枝江基层医疗专场")],
    2020: [(0, 6, 18, ("市商务局",), ""), (1, 7, 9, ("市农业农村局",), ""), (2, 7, 23, ("市卫健委",), ""),
           (5, 9, 17, ("市文旅局",), ""), (6, 10, 22, ("市经信局",), ""), (7, 11, 12, ("市经信局",), "")],
}
# Symposia the plan announced but that were not held (pillar index, month): planned vs held.
SYMPOSIA_NOT_HELD: dict[int, list[tuple[int, int]]] = {
    2017: [(4, 10), (8, 11)], 2018: [(10, 11)], 2019: [(3, 10), (7, 11)], 2020: [(4, 3), (8, 4), (9, 5), (10, 11)],
}
# The spring joint notice: its number within the bureau's 宜教职成 series, date of issue.
PLAN_NOTICES = {2017: (4, dt.date(2017, 3, 8)), 2018: (3, dt.date(2018, 3, 6)), 2019: (3, dt.date(2019, 3, 12)),
                2020: (9, dt.date(2020, 5, 20))}
# Per year: the other planned activities per committee (tours, teacher training, competitions), and the
# share of them held (2020: many spring activities were called off).
OTHER_ACTIVITIES_PER_COMMITTEE = {2017: 2, 2018: 2, 2019: 3, 2020: 2}
OTHER_HELD_SHARE = {2017: 0.8, 2018: 0.85, 2019: 0.9, 2020: 0.55}
ALLIANCES_PER_YEAR = {2017: 3, 2018: 4, 2019: 6, 2020: 3}
# Agreements besides the 合作意向书 and the order agreements of the order classes, per year.
OTHER_AGREEMENTS = {
    2017: {"deep": 14, "apprenticeship": 5, "internship_base": 18, "training_base": 8, "other": 3},
    2018: {"deep": 19, "apprenticeship": 8, "internship_base": 21, "training_base": 10, "other": 4},
    2019: {"deep": 26, "apprenticeship": 11, "internship_base": 24, "training_base": 13, "other": 5},
    2020: {"deep": 17, "apprenticeship": 9, "internship_base": 15, "training_base": 9, "other": 4},
}
# The catalog majors (2021 目录) an order class of a pillar's school trains for: (中职, 高职专科).
ORDER_MAJORS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "电子商务": (("电子商务", "直播电商服务"), ("电子商务", "市场营销")),
    "现代农业": (("作物生产技术", "农产品营销与储运"), ("现代农业技术", "设施农业与装备")),
    "医药健康": (("护理", "中药制药"), ("护理", "药学")),
    "精细化工": (("精细化工技术",), ("应用化工技术", "精细化工技术")),
    "文化创意": (("数字影像技术",), ("数字媒体技术", "影视多媒体技术")),
    "旅游服务": (("旅游服务与管理", "高星级饭店运营与管理"), ("旅游管理", "酒店管理与数字化运营")),
    "装备制造": (("机电技术应用",), ("机电一体化技术", "工业机器人技术")),
    "电子信息": (("计算机应用", "计算机网络技术"), ("软件技术", "电子信息工程技术")),
    "现代物流": (("物流服务与管理",), ("现代物流管理", "港口与航运管理")),
    "食品饮料": (("食品加工工艺",), ("食品生物技术", "食品检验检测技术")),
    "建筑建材": (("建筑工程施工",), ("建筑工程技术", "建筑装饰工程技术")),
}
VISIT_PURPOSES = ["了解企业用工需求", "洽谈订单培养合作", "走访顶岗实习学生", "洽谈共建实训基地",
                  "邀请参加校企合作座谈会", "毕业生就业跟踪回访", "洽谈教师企业实践岗位", "商谈现代学徒制试点"]
PRACTICE_CONTENT = ["了解企业生产组织方式和工艺流程", "学习岗位职责、操作规范和技能要求",
                    "学习新知识、新技术、新工艺、新方法", "参与企业产品研发和技术改造",
                    "调研企业用人标准，修订人才培养方案", "收集企业真实案例，开发校本教材"]
MENTOR_TITLES = ["技术总监", "车间主任", "高级工程师", "培训主管", "店长", "项目经理", "护士长", "技师"]
