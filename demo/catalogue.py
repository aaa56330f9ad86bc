"""The demo city's vocabulary: how San Francisco's agency queues group into departments, and the names
of departments and service types in Chinese. Shenzhen's few departments and service types are declared here too."""

import re

# (queue name prefix, department code, English name, Chinese name), first match wins.
SF_DEPARTMENTS = [
    (("311", "SSP"), "311", "311 Customer Service Center", "311 客户服务中心"),
    (("DPW", "Graffiti Abatement"), "public-works", "Public Works", "公共工程局"),
    (("DPT", "SFMTA", "MUNI", "Parking Enforcement"), "sfmta", "Municipal Transportation Agency", "市政交通局"),
    (("PUC",), "puc", "Public Utilities Commission", "公用事业委员会"),
    (("RPD", "Rec and Park"), "rec-park", "Recreation and Parks", "康乐及公园局"),
    (("DBI",), "building-inspection", "Building Inspection", "建筑检查局"),
    (("DPH",), "public-health", "Public Health", "公共卫生局"),
    (("Police", "HSOC", "Noise Report"), "police", "Police", "警察局"),
    (("Housing Authority",), "housing-authority", "Housing Authority", "房屋管理局"),
    (("SFFD",), "fire", "Fire Department", "消防局"),
    (("Recology",), "recology", "Recology (refuse collection)", "Recology 垃圾清运"),
    (("Port Authority",), "port", "Port", "港务局"),
    (
        ("PG and E", "AT and T", "Clear Channel", "US Postal"),
        "utilities",
        "Utilities and contractors",
        "公用事业及承包商",
    ),
]
SF_OTHER_DEPARTMENT = ("other", "Other city agencies", "其他市政机构")

SF_CATEGORY_ZH = {
    "311 External Request": "311 外部请求",
    "Abandoned Vehicle": "废弃车辆",
    "Blocked Street or SideWalk": "街道或人行道阻塞",
    "Catch Basin Maintenance": "雨水口维护",
    "Color Curb": "彩色路缘",
    "DPW Volunteer Programs": "公共工程志愿者项目",
    "Damaged Property": "财产损坏",
    "Graffiti": "涂鸦",
    "Illegal Postings": "非法张贴",
    "Litter Receptacles": "垃圾桶",
    "MUNI Feedback": "MUNI 反馈",
    "Noise Report": "噪音投诉",
    "Parking Enforcement": "停车执法",
    "Rec and Park Requests": "公园请求",
    "Residential Building Request": "住宅建筑请求",
    "SFHA Requests": "公共房屋请求",
    "Sewer Issues": "下水道问题",
    "Sidewalk or Curb": "人行道或路缘",
    "Sign Repair": "标志维修",
    "Street Defects": "路面缺陷",
    "Street and Sidewalk Cleaning": "街道及人行道清洁",
    "Streetlights": "路灯",
    "Temporary Sign Request": "临时标志申请",
    "Tree Maintenance": "树木养护",
}
# Service types whose requests often point at a home: shown coarsened in public.
SF_SENSITIVE_CATEGORIES = {"Noise Report", "Residential Building Request", "SFHA Requests"}
SF_PERMIT_CATEGORIES = {"Temporary Sign Request", "Color Curb"}

SF_CHANNELS = {
    "Phone": "phone",
    "Mobile/Open311": "open311",
    "Web": "web",
    "Integrated Agency": "staff",
    "Twitter": "social",
    "Email": "email",
}

SHENZHEN_DISTRICTS_EN = {
    "440303": "Luohu",
    "440304": "Futian",
    "440305": "Nanshan",
    "440306": "Bao'an",
    "440307": "Longgang",
    "440308": "Yantian",
    "440309": "Longhua",
    "440310": "Pingshan",
    "440311": "Guangming",
}

SHENZHEN_DEPARTMENTS = [
    ("urban-management", "Urban Management and Law Enforcement", "城市管理和综合执法局"),
    ("transport", "Transport Bureau", "交通运输局"),
    ("water", "Water Resources Bureau", "水务局"),
    ("environment", "Ecology and Environment Bureau", "生态环境局"),
    ("housing", "Housing and Construction Bureau", "住房和建设局"),
]

# (code, English name, Chinese name, department code, group en, group zh, kind, sensitive)
SHENZHEN_SERVICE_TYPES = [
    ("pothole", "Pothole", "道路坑洼", "transport", "Streets", "道路", "problem", False),
    ("streetlight", "Streetlight out", "路灯故障", "urban-management", "Streets", "道路", "problem", False),
    (
        "graffiti",
        "Graffiti or illegal posting",
        "涂鸦或违规张贴",
        "urban-management",
        "Cleanliness",
        "市容",
        "problem",
        False,
    ),
    ("garbage", "Uncollected garbage", "垃圾未清运", "urban-management", "Cleanliness", "市容", "problem", False),
    ("waterlogging", "Flooding or blocked drain", "积水或排水堵塞", "water", "Water", "水务", "problem", False),
    ("noise", "Noise complaint", "噪音扰民", "environment", "Environment", "环境", "problem", True),
    ("street-use-permit", "Street use permit", "占道施工许可", "housing", "Permits", "许可", "permit", False),
]


def sf_department_for(queue: str) -> tuple[str, str, str]:
    for prefixes, code, name, name_zh in SF_DEPARTMENTS:
        if queue.startswith(prefixes):
            return code, name, name_zh
    return SF_OTHER_DEPARTMENT


_PERSON_IN_QUEUE = re.compile(r"Survey Tech - .+ Queue$")


def sf_team_name(queue: str) -> str:
    """Queue names that name a staff member are generalised: the demo shows teams, not people."""
    return _PERSON_IN_QUEUE.sub("Survey Tech Queue", queue.strip())


# The city's own lines and addresses that its public notes give out (kept by public text masking), and the
# regions whose numbers, IDs and plates residents write.
SF_REGIONS = ["US"]
SF_PUBLISHED_CONTACTS = [
    "311",
    "415-701-2311",
    "415-553-0123",
    "415-553-1200",
    "415-558-6570",
    "415-558-6220",
    "415-701-5649",
    "415-252-3800",
    "415-252-3804",
    "415-252-3805",
    "415-554-3800",
    "415-550-5001",
    "415-701-5643",
    "800-743-5000",
    "877-743-7782",
    "municustomerservice@sfmta.com",
    "woservicecenter@presidiotrust.gov",
]
SHENZHEN_REGIONS = ["CN", "HK"]
SHENZHEN_PUBLISHED_CONTACTS = ["12345", "0755-12345", "110", "119", "120", "12315", "12369"]

# What residents read when they choose a service: a plain name, a description that says what belongs there,
# and the everyday words (English and Chinese) people search with. Keyed by the DataSF category.
# (name, name zh, description, description zh, search words)
SF_SERVICES = {
    "311 External Request": (
        "Something another agency handles",
        "其他机构负责的事项",
        "For things outside the city's own departments; 311 passes them on.",
        "不属于市政部门的事项，由 311 转交相关机构。",
        ["other agency", "其他机构"],
    ),
    "Abandoned Vehicle": (
        "Abandoned vehicle",
        "废弃车辆",
        "A car, van, trailer or motorbike parked in the same spot for more than 72 hours.",
        "在同一位置停放超过 72 小时的汽车、货车、拖车或摩托车。",
        ["car", "abandoned car", "vehicle", "trailer", "车", "弃车", "僵尸车"],
    ),
    "Blocked Street or SideWalk": (
        "Something blocking a street or sidewalk",
        "街道或人行道被阻挡",
        "Objects, debris boxes or vehicles blocking a sidewalk, a bike lane or a driveway.",
        "杂物、垃圾箱或车辆阻挡人行道、自行车道或车道。",
        ["blocked", "obstruction", "driveway", "bike lane", "阻挡", "占道", "堵塞"],
    ),
    "Catch Basin Maintenance": (
        "Blocked storm drain",
        "雨水口堵塞",
        "A storm drain or catch basin that is clogged, overflowing or smells.",
        "雨水口或集水井堵塞、溢水或有异味。",
        ["drain", "storm drain", "flooding", "clogged", "下水口", "积水", "排水"],
    ),
    "Color Curb": (
        "Painted curb (loading, parking) request",
        "路缘涂色申请",
        "Ask for a red, yellow, white, green or blue curb: no parking, loading or short-term zones.",
        "申请红、黄、白、绿或蓝色路缘：禁停区、装卸区或短时停车区。",
        ["curb paint", "loading zone", "路缘", "装卸区"],
    ),
    "DPW Volunteer Programs": (
        "Volunteer to clean up your street",
        "志愿清洁街道",
        "Join or start a street clean-up or adopt a street.",
        "参加或发起街道清洁、认养街道。",
        ["volunteer", "adopt a street", "志愿者"],
    ),
    "Damaged Property": (
        "Damaged street furniture",
        "街道设施损坏",
        "Broken benches, bike racks, bus shelters, kiosks, news racks, traffic signals or call boxes.",
        "长椅、自行车架、公交候车亭、报刊亭、信号灯或报警柱损坏。",
        ["bench", "bus shelter", "bike rack", "traffic signal", "broken", "损坏", "候车亭", "信号灯"],
    ),
    "Graffiti": (
        "Graffiti",
        "涂鸦",
        "Graffiti on a building, wall, sign, pole or any public or private property.",
        "建筑、墙面、标志、电线杆或任何公共或私人财产上的涂鸦。",
        ["tag", "spray paint", "vandalism", "涂鸦", "乱涂", "喷漆"],
    ),
    "Illegal Postings": (
        "Illegal posters and flyers",
        "违规张贴",
        "Posters or flyers on poles, traffic lights or signs, too large, too old or without a date.",
        "电线杆、信号灯或标志上的海报或传单，尺寸过大、张贴过久或无日期。",
        ["poster", "flyer", "sticker", "小广告", "张贴", "传单"],
    ),
    "Litter Receptacles": (
        "Public trash can",
        "公共垃圾桶",
        "A city trash can that is full, damaged, missing, or a request for a new one.",
        "市政垃圾桶已满、损坏、缺失，或申请新增垃圾桶。",
        ["trash can", "bin", "garbage can", "overflowing", "垃圾桶", "垃圾箱"],
    ),
    "MUNI Feedback": (
        "Muni bus or train feedback",
        "Muni 公交反馈",
        "A compliment or a complaint about a Muni bus, train, driver or service.",
        "对 Muni 公交车、列车、司机或服务的表扬或投诉。",
        ["bus", "muni", "driver", "公交", "司机"],
    ),
    "Noise Report": (
        "Noise",
        "噪音",
        "Loud music, construction outside permitted hours, alarms, machinery or other noise.",
        "音乐过响、超时施工、警报、机器或其他噪音。",
        ["noise", "loud", "music", "alarm", "噪音", "吵", "扰民"],
    ),
    "Parking Enforcement": (
        "Parking problem",
        "违章停车",
        "A car blocking a driveway, double parked, in a bike lane or in a no-parking zone.",
        "车辆堵住车道、双排停车、占用自行车道或停在禁停区。",
        ["parking", "double parked", "driveway", "停车", "违停", "堵车道"],
    ),
    "Rec and Park Requests": (
        "Park or playground",
        "公园或游乐场",
        "Something broken, dirty or unsafe in a city park, playground or park building.",
        "市政公园、游乐场或公园建筑内的损坏、脏乱或不安全情况。",
        ["park", "playground", "公园", "游乐场"],
    ),
    "Residential Building Request": (
        "Problem in a rental building",
        "出租楼宇问题",
        "No heat or hot water, leaks, mould, pests or unsafe conditions in a residential building.",
        "住宅楼内无暖气或热水、漏水、霉菌、虫害或不安全状况。",
        ["landlord", "heat", "mold", "leak", "pests", "房东", "漏水", "霉"],
    ),
    "SFHA Requests": (
        "Public housing repair",
        "公共房屋维修",
        "Repairs in a San Francisco Housing Authority home: plumbing, doors, locks, electrical.",
        "旧金山房屋管理局住房的维修：水管、门、锁、电路。",
        ["public housing", "repair", "公屋", "维修"],
    ),
    "Sewer Issues": (
        "Sewer, flooding or bad smell",
        "下水道、积水或异味",
        "Sewage backing up, a flooded street, a water leak or a sewer smell.",
        "污水倒灌、街道积水、漏水或下水道异味。",
        ["sewer", "sewage", "smell", "flood", "leak", "下水道", "污水", "臭"],
    ),
    "Sidewalk or Curb": (
        "Broken sidewalk or curb",
        "人行道或路缘破损",
        "Cracked or lifted sidewalk, a broken curb ramp or a damaged public stairway.",
        "人行道开裂或隆起、缘石坡道损坏或公共台阶损坏。",
        ["sidewalk", "curb", "trip", "crack", "人行道", "路缘", "开裂"],
    ),
    "Sign Repair": (
        "Damaged street sign",
        "路牌损坏",
        "A street or traffic sign that is bent, faded, turned, missing or covered.",
        "街道或交通标志弯曲、褪色、转向、缺失或被遮挡。",
        ["sign", "stop sign", "street sign", "路牌", "标志", "指示牌"],
    ),
    "Street Defects": (
        "Pothole or street damage",
        "路面坑洞或损坏",
        "Potholes, a missing manhole cover, a shifted construction plate or a bad utility patch.",
        "坑洞、井盖缺失、施工钢板移位或管线开挖修补不良。",
        ["pothole", "hole", "manhole", "road", "street", "坑", "坑洞", "井盖", "路面"],
    ),
    "Street and Sidewalk Cleaning": (
        "Street cleaning, dumping or litter",
        "街道清洁、乱倒垃圾",
        "Litter, dumped furniture or bags, needles, human or animal waste on a street or sidewalk.",
        "街道或人行道上的垃圾、乱丢的家具或垃圾袋、针头、人或动物粪便。",
        ["trash", "garbage", "litter", "dumping", "needle", "poop", "垃圾", "乱倒", "粪便"],
    ),
    "Streetlights": (
        "Streetlight out or damaged",
        "路灯不亮或损坏",
        "A streetlight that is out, flickering, on all day, or a damaged or leaning pole.",
        "路灯不亮、闪烁、白天常亮，或灯杆损坏、倾斜。",
        ["streetlight", "light", "lamp", "dark", "路灯", "灯", "不亮"],
    ),
    "Temporary Sign Request": (
        "Temporary no-parking signs",
        "临时禁停标志",
        "Ask for temporary no-parking signs for a move, a film shoot, an event or a street fair.",
        "为搬家、拍摄、活动或街头集市申请临时禁停标志。",
        ["moving", "no parking", "event", "搬家", "临时"],
    ),
    "Tree Maintenance": (
        "Tree problem",
        "树木问题",
        "A fallen or dangerous tree or branch, a tree damaging the sidewalk, or a request to plant one.",
        "倒伏或危险的树木或树枝、损坏人行道的树，或申请种树。",
        ["tree", "branch", "fallen tree", "树", "树枝", "倒树"],
    ),
}
# "General Request - <AGENCY>": a catch-all per agency. Its name says so in plain words.
SF_GENERAL_PREFIX = "General Request - "
SF_GENERAL_NAME = (
    "Something else for {agency}",
    "给{agency}的其他事项",
    "Anything for this agency that no other service fits. Describe it and a person will sort it.",
    "不属于其他任何服务的事项。请描述问题，工作人员会分派处理。",
)
SF_AGENCY_NAMES = {
    "PUBLIC WORKS": ("Public Works", "公共工程局"),
    "MTA": ("the Transportation Agency", "市政交通局"),
    "PUC": ("the Public Utilities Commission", "公用事业委员会"),
    "ASSESSOR RECORDER": ("the Assessor", "估税官办公室"),
    "DPH": ("Public Health", "公共卫生局"),
    "311CUSTOMERSERVICECENTER": ("311", "311"),
    "MONS": ("Neighborhood Services", "社区服务办公室"),
    "CENTRAL SHOPS": ("the City's fleet shops", "市政车辆维修厂"),
    "BUILDING INSPECTION": ("Building Inspection", "建筑检查局"),
    "RPD": ("Recreation and Parks", "康乐及公园局"),
    "PORT AUTHORITY": ("the Port", "港务局"),
    "COUNTY CLERK": ("the County Clerk", "县书记官办公室"),
    "CITY ATTORNEY": ("the City Attorney", "市检察官办公室"),
}
# Answer options people look for that the history lacks: (category, key, name, name zh), listed first.
SF_EXTRA_OPTIONS = [("Street Defects", "pothole", "Pothole", "坑洞")]


def sf_service_text(category: str) -> tuple[str, str, str, str, list[str]]:
    """(name, name zh, description, description zh, search words) for a DataSF category."""
    if category in SF_SERVICES:
        return SF_SERVICES[category]
    if category.startswith(SF_GENERAL_PREFIX):
        agency = category[len(SF_GENERAL_PREFIX) :].strip()
        en, zh = SF_AGENCY_NAMES.get(agency, (agency.title(), agency.title()))
        name, name_zh, description, description_zh = SF_GENERAL_NAME
        return (
            name.format(agency=en),
            name_zh.format(agency=zh),
            description,
            description_zh,
            ["other", "general", "其他"],
        )
    return category, SF_CATEGORY_ZH.get(category, category), "", "", []


# Chinese names of the answer options (DataSF complaint types, "_" read as a space). A prefix names the family,
# the rest the detail; options are joined "family：detail".
SF_OPTION_PREFIX_ZH = {
    "Abandoned Vehicle - ": "废弃车辆",
    "Building - ": "建筑",
    "Illegal Posting - ": "违规张贴",
    "Illegal Postings - ": "违规张贴",
    "MUNI - ": "Muni",
    "Park - ": "公园",
    "Sign - ": "标志",
    "Sign Repair - ": "标志维修",
    "Streetlight - ": "路灯",
    "Temporary Sign Request for ": "临时标志申请",
    "Trees - ": "树木",
    "Red Color Curb Request for ": "红色路缘申请",
    "Graffiti on ": "涂鸦位置",
}
SF_OPTION_ZH = {
    # whole options
    "Abandoned Vehicle -": "废弃车辆",
    "Red Color Curb Request for": "红色路缘申请",
    "Abandoned Vehicles High": "废弃车辆（高优先）",
    "Add remove garbage can": "增设或撤除垃圾桶",
    "Adopt A Street": "认养街道",
    "Automotive": "汽修",
    "Blocked Parking Space or Strip": "车位被占",
    "Blocked Sidewalk": "人行道被阻挡",
    "Blocked Sidewalk and Parking": "人行道及车位被阻挡",
    "Blocking Bicycle Lane": "占用自行车道",
    "Blocking Driveway Cite Tow": "堵住车道（开罚单或拖车）",
    "Blue Color Curb Request": "蓝色路缘申请",
    "Cans Left Out 24x7": "垃圾桶长期放在街上",
    "Carpentery": "木工",
    "Catch Basin Other": "雨水口其他问题",
    "City Can Other": "市政垃圾桶其他问题",
    "City Can Removed": "市政垃圾桶被移走",
    "Community Clean Team": "社区清洁队",
    "Construction Plate Shifted": "施工钢板移位",
    "Curb or Curb Ramp Defect": "路缘或缘石坡道损坏",
    "Custodian": "保洁",
    "Damaged Benches on Sidewalk": "人行道长椅损坏",
    "Damaged Bike Rack": "自行车架损坏",
    "Damaged City Can": "市政垃圾桶损坏",
    "Damaged Fire Police Callbox": "消防/警察报警柱损坏",
    "Damaged Kiosk Public Toilet": "公共厕所亭损坏",
    "Damaged News Rack": "报刊架损坏",
    "Damaged Property": "财产损坏",
    "Damaged Side Sewer Vent Cover": "支管通气盖损坏",
    "Damaged Traffic Signal": "交通信号灯损坏",
    "Damaged Transit Shelter Ad Kiosk": "候车亭广告牌损坏",
    "Damaged Transit Shelter Platform": "候车亭或站台损坏",
    "Damaged Transit Shelter Platform Hazardous": "候车亭或站台损坏（危险）",
    "Damaged other": "其他损坏",
    "Debris Box": "建筑垃圾箱",
    "Debris box maintenance overflowing": "建筑垃圾箱满溢",
    "Door Lock issues": "门锁问题",
    "Door lock issue": "门锁问题",
    "Double Parking": "双排停车",
    "Electrical": "电工",
    "Flooding": "积水",
    "Garbage": "垃圾",
    "Glazier": "玻璃工",
    "Graffiti": "涂鸦",
    "Graffiti Watch": "涂鸦巡查",
    "Green Fee Color Curb Request": "绿色路缘申请（收费）",
    "Human/Animal Waste": "人或动物粪便",
    "Illegal Posting": "违规张贴",
    "Laborer": "杂工",
    "Liner issue damaged missing": "垃圾桶内衬损坏或缺失",
    "Litter Receptacle Request New Removal": "申请增设或撤除垃圾桶",
    "Maintenance": "维修",
    "Manhole Cover Off": "井盖缺失",
    "Medical waste": "医疗废物",
    "Missed Route Mechanical Sweeping": "机扫漏扫",
    "Missing Side Sewer Vent Cover": "支管通气盖缺失",
    "New Litter Receptacle": "新增垃圾桶",
    "Noise Issue": "噪音问题",
    "Odor": "异味",
    "Other": "其他",
    "Other enter additional details below": "其他（请在下方补充）",
    "Other garbage can repair": "其他垃圾桶维修",
    "Other including abandoned toter": "其他（含弃置垃圾车）",
    "Overflowing City Receptacle or Dumpster": "市政垃圾桶或垃圾箱满溢",
    "Painting": "油漆",
    "Public Stairway Defect": "公共台阶损坏",
    "Red NoFee Color Curb Request": "红色路缘申请（免费）",
    "Removal From Location": "从原位置移除",
    "SFMTA Feedback": "市政交通局反馈",
    "SSP Abandoned Vehicles": "废弃车辆（SSP）",
    "SSP DPT Color Curb Red": "红色路缘（SSP）",
    "Sewage Back Up": "污水倒灌",
    "Side Sewer Issues": "支管下水道问题",
    "Sidewalk or Curb Issues": "人行道或路缘问题",
    "Steam Fitter": "管道工",
    "Street Parks": "街头绿地",
    "Street and Sidewalk Cleaning Request": "街道及人行道清洁申请",
    "Tile Work": "瓷砖",
    "Tipped over": "被推倒",
    "Toters left out 24x7": "垃圾车长期放在街上",
    "Transit shelter platform": "候车亭站台",
    "Trees": "树木",
    "Utility Excavation": "管线开挖",
    "Utility Lines/Wires": "管线或电线",
    "Water Main Break": "供水主管破裂",
    "Water leak": "漏水",
    "White Fee Color Curb Request": "白色路缘申请（收费）",
    "Yellow Color Curb Request": "黄色路缘申请",
    "amplified sound electronics": "扩音设备",
    "compliment": "表扬",
    "construction private property": "私人工地施工",
    "construction public": "公共工程施工",
    "delivery service business": "商铺送货",
    "delivery service construction": "工地送货",
    "delivery service vehicle": "送货车辆",
    "entertainment": "娱乐场所",
    "followup request": "跟进请求",
    "garbage recycling collection": "垃圾及回收清运",
    "home improvement maintenance": "家居装修",
    "mailing request": "邮寄请求",
    "major event venue": "大型活动场地",
    "mechanical equipment": "机械设备",
    "other": "其他",
    "other excessive noise": "其他过大噪音",
    "other reallocate": "其他（转派）",
    "sidewalk other": "人行道其他问题",
    "tour bus": "旅游巴士",
    "traffic": "交通",
    "vehicle car alarm": "汽车警报",
    "vehicle repair": "车辆维修",
    # details after a prefix
    "DeliveryTruck": "送货卡车",
    "Motorcycle": "摩托车",
    "SUV": "SUV",
    "Trailer": "拖车",
    "Bathroom": "浴室",
    "Blocked Exit Common Areas": "公共区域出口堵塞",
    "Clutter Hoarder Unit Interior Storage": "室内杂物堆积",
    "Deck Stairs Handrails": "平台、楼梯、扶手",
    "Doors Windows Broken Defective": "门窗损坏",
    "Electrical Hazardous Condition": "电气危险",
    "Electrical Non Hazard": "电气问题（非危险）",
    "Elevators Everthing Else": "电梯及其他",
    "Fire Alarm System": "火警系统",
    "Fire Hazard": "火灾隐患",
    "Fire Sprinkler System": "消防喷淋系统",
    "Garbage Receptacles": "垃圾容器",
    "General Maintenance Not in List Above": "其他一般维修",
    "Heat Lack of Heat": "无暖气",
    "Hot Water Lack of Hot Water": "无热水",
    "Illegal Construction No Permit Exceeds Permit Scope": "违规施工（无许可或超范围）",
    "Illegal Guest Room Conversions": "违规改建客房",
    "Inadequately Maintained Building Exterior": "建筑外立面失修",
    "Infestation Bed Bugs": "臭虫",
    "Infestation Rodent Insect": "鼠患或虫害",
    "Light Wells Dirty Flooded": "采光井脏污或积水",
    "Mold and Mildew": "霉菌",
    "Noise Caused by Building Systems": "楼宇设备噪音",
    "Paint Lead Violating Safe Practices": "含铅油漆违规作业",
    "Paint Peeling": "油漆剥落",
    "Plumbing Broken leaking": "水管损坏或漏水",
    "Second Hand Smoke": "二手烟",
    "Ventilation Inadequate or None": "通风不足或无通风",
    "Affixed Improperly": "张贴方式不当",
    "Multiple Postings": "多处张贴",
    "No Posting Date": "无张贴日期",
    "Posted Over 70 Days": "张贴超过 70 天",
    "Posted on Traffic Light": "贴在信号灯上",
    "Posting Too Large in Size": "尺寸过大",
    "Posted on Directional Sign": "贴在指示牌上",
    "Posted on Historic Street Light": "贴在历史路灯上",
    "Commendation": "表扬",
    "Conduct Unsafe Operation": "驾驶不安全",
    "Services Criminal Activity": "犯罪活动",
    "Services Miscellaneous": "其他服务",
    "Services Service Planning": "线路规划",
    "Neighborhood Services Area": "社区服务区",
    "Park Patrol": "公园巡逻",
    "Urban Forestry": "城市林业",
    "UrbanForestry": "城市林业",
    "Bent": "弯曲",
    "Dirty": "脏污",
    "Faded": "褪色",
    "Incorrect Signage": "标志错误",
    "Loose": "松动",
    "Missing": "缺失",
    "Not Visible": "看不清",
    "On Ground": "倒在地上",
    "Painted Over": "被涂盖",
    "Stickers": "贴纸",
    "Turned": "方向转动",
    "Too Low": "过低",
    "Light Dim": "灯光昏暗",
    "Light Flickering On Off": "灯光闪烁",
    "Light Glass Cover Hanging": "灯罩悬挂",
    "Light Glass Cover Missing": "灯罩缺失",
    "Light On all the time": "白天常亮",
    "Other Request Light Shield": "申请遮光罩",
    "Other Request New Streetlight": "申请新路灯",
    "Pole Cover Missing": "灯杆盖缺失",
    "Pole Damaged": "灯杆损坏",
    "Pole Knockdown": "灯杆被撞倒",
    "Pole Leaning": "灯杆倾斜",
    "Pole Wires Exposed": "灯杆电线外露",
    "Pullbox Other": "接线盒其他问题",
    "Pullbox Wires Exposed": "接线盒电线外露",
    "City Sponsored Celebrations": "市政庆典",
    "Corporate Events": "企业活动",
    "Film Photo Production": "影视拍摄",
    "Moving commercial property": "商业搬迁",
    "Moving residential property": "住宅搬家",
    "Other Event Type": "其他活动",
    "Sporting Events": "体育赛事",
    "Street Fairs": "街头集市",
    "Tour Buses": "旅游巴士",
    "Damaging Property": "损坏财物",
    "Landscaping": "园林绿化",
    "Tree Other": "其他树木问题",
    "Office": "办公楼",
    "WholesaleWarehouse": "批发仓库",
    "ATT Property": "AT&T 设施",
    "Bike rack": "自行车架",
    "Bridge": "桥梁",
    "City receptacle": "市政垃圾桶",
    "Fire Police Callbox": "消防/警察报警柱",
    "Fire call box": "消防报警柱",
    "Fire hydrant": "消防栓",
    "Fire hydrant puc": "消防栓（公用事业）",
    "News rack": "报刊架",
    "Other for Parks ONLY": "其他（仅限公园）",
    "Parking meter": "停车咪表",
    "Pay phone": "公用电话",
    "Private Property": "私人财产",
    "Public Property": "公共财产",
    "Sign": "标志",
    "Street": "街道",
}


def sf_option_zh(option: str) -> str:
    """The Chinese name of a DataSF complaint type (already read with "_" as a space)."""
    if option in SF_OPTION_ZH:
        return SF_OPTION_ZH[option]
    for prefix, family in SF_OPTION_PREFIX_ZH.items():
        if option.startswith(prefix):
            rest = option[len(prefix) :].strip()
            return f"{family}：{SF_OPTION_ZH.get(rest, rest)}" if rest else family
    return option


# Shenzhen's service types: (description, description zh, search words), by code.
SHENZHEN_SERVICE_TEXT = {
    "pothole": (
        "A hole or broken surface in a road, or a missing manhole cover.",
        "道路上的坑洞、路面破损或井盖缺失。",
        ["pothole", "hole", "road", "坑", "坑洼", "井盖", "路面"],
    ),
    "streetlight": (
        "A streetlight that is out, flickering or on all day.",
        "路灯不亮、闪烁或白天常亮。",
        ["light", "lamp", "路灯", "灯", "不亮"],
    ),
    "graffiti": (
        "Graffiti, small ads or posters on walls, poles or bus stops.",
        "墙面、电线杆或公交站上的涂鸦、小广告或海报。",
        ["graffiti", "poster", "涂鸦", "小广告", "牛皮癣"],
    ),
    "garbage": (
        "Rubbish not collected, overflowing bins or dumped waste.",
        "垃圾未清运、垃圾桶满溢或乱倒垃圾。",
        ["trash", "garbage", "rubbish", "垃圾", "垃圾桶"],
    ),
    "waterlogging": (
        "Water standing on a street, or a drain that is blocked or overflowing.",
        "街道积水，或排水口堵塞、溢水。",
        ["flood", "drain", "water", "积水", "排水", "内涝"],
    ),
    "noise": (
        "Construction outside permitted hours, loud music or machinery.",
        "超时施工、音乐过响或机器噪音。",
        ["noise", "loud", "噪音", "吵", "扰民"],
    ),
    "street-use-permit": (
        "Ask to use a street or sidewalk for works or an event.",
        "申请占用道路或人行道进行施工或活动。",
        ["permit", "works", "许可", "占道"],
    ),
}
