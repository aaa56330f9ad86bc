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
    (("PG and E", "AT and T", "Clear Channel", "US Postal"), "utilities", "Utilities and contractors",
     "公用事业及承包商"),
]
SF_OTHER_DEPARTMENT = ("other", "Other city agencies", "其他市政机构")

SF_CATEGORY_ZH = {
    "311 External Request": "311 外部请求", "Abandoned Vehicle": "废弃车辆", "Blocked Street or SideWalk": "街道或人行道阻塞",
    "Catch Basin Maintenance": "雨水口维护", "Color Curb": "彩色路缘", "DPW Volunteer Programs": "公共工程志愿者项目",
    "Damaged Property": "财产损坏", "Graffiti": "涂鸦", "Illegal Postings": "非法张贴", "Litter Receptacles": "垃圾桶",
    "MUNI Feedback": "MUNI 反馈", "Noise Report": "噪音投诉", "Parking Enforcement": "停车执法",
    "Rec and Park Requests": "公园请求", "Residential Building Request": "住宅建筑请求", "SFHA Requests": "公共房屋请求",
    "Sewer Issues": "下水道问题", "Sidewalk or Curb": "人行道或路缘", "Sign Repair": "标志维修", "Street Defects": "路面缺陷",
    "Street and Sidewalk Cleaning": "街道及人行道清洁", "Streetlights": "路灯", "Temporary Sign Request": "临时标志申请",
    "Tree Maintenance": "树木养护",
}
# Service types whose requests often point at a home: shown coarsened in public.
SF_SENSITIVE_CATEGORIES = {"Noise Report", "Residential Building Request", "SFHA Requests"}
SF_PERMIT_CATEGORIES = {"Temporary Sign Request", "Color Curb"}

SF_CHANNELS = {"Phone": "phone", "Mobile/Open311": "open311", "Web": "web", "Integrated Agency": "staff",
               "Twitter": "social", "Email": "email"}

SHENZHEN_DISTRICTS_EN = {
    "440303": "Luohu", "440304": "Futian", "440305": "Nanshan", "440306": "Bao'an", "440307": "Longgang",
    "440308": "Yantian", "440309": "Longhua", "440310": "Pingshan", "440311": "Guangming",
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
    ("graffiti", "Graffiti or illegal posting", "涂鸦或违规张贴", "urban-management", "Cleanliness", "市容", "problem",
     False),
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
    "311", "415-701-2311", "415-553-0123", "415-553-1200", "415-558-6570", "415-558-6220", "415-701-5649",
    "415-252-3800", "415-252-3804", "415-252-3805", "415-554-3800", "415-550-5001", "415-701-5643",
    "800-743-5000", "877-743-7782", "municustomerservice@sfmta.com", "woservicecenter@presidiotrust.gov",
]
SHENZHEN_REGIONS = ["CN", "HK"]
SHENZHEN_PUBLISHED_CONTACTS = ["12345", "0755-12345", "110", "119", "120", "12315", "12369"]
