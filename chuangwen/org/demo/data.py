"""The demo city as tables: a prefecture-level city shaped like the one in the seed report
(13 counties and districts plus a high-tech zone, the four leadership bodies, city departments,
stationed units, the HQ office and its five working groups plus the office itself).

Every place and person is invented.  `{c}` in a name is the city's short name
(settings.CITY_NAME without 市), so a city that renames itself keeps consistent names.
"""

from datetime import date

from chuangwen.accounts.roles import Role

# The root unit's code: its presence means the demo is loaded.
CITY_CODE = "CITY"
HQ_CODE = "HQ"
# Names come from random.Random(NAME_SEED): the same people on every run.
NAME_SEED = 20240101
# Posts and linkages start here, so "who was the head on that day" has answers for past dates.
SINCE = date(2024, 1, 1)

# The people named in the seed report: never to appear in the demo.
REAL_NAMES = ("吕日周", "张兵生", "卢晓中", "史耀清", "秦来英", "马和平")

# --- the four leadership bodies: (code, name, [(username, title, is_head)]) ------------------
LEADERSHIP = [
    ("L01", "市委", [
        ("party_secretary", "市委书记", True),
        ("deputy_secretary", "市委副书记", False),
        ("publicity_chief", "市委常委、宣传部部长", False),
        ("organization_chief", "市委常委、组织部部长", False),
    ]),
    ("L02", "市人大常委会", [
        ("npc_chair", "市人大常委会主任", True),
        ("npc_vice_chair", "市人大常委会副主任", False),
    ]),
    ("L03", "市政府", [
        ("mayor", "市长", True),
        ("exec_vice_mayor", "常务副市长", False),
        ("vice_mayor", "副市长", False),
        ("vice_mayor_social", "副市长", False),
        ("vice_mayor_urban", "副市长", False),
    ]),
    ("L04", "市政协", [
        ("cppcc_chair", "市政协主席", True),
        ("cppcc_vice_chair", "市政协副主席", False),
    ]),
]

# --- city departments: (code, name, head title, [(subordinate unit, its head's title)]) -------
DEPARTMENTS = [
    ("D01", "市委宣传部", "部长", [("{c}日报社", "社长"), ("市广播电视台", "台长")]),
    ("D02", "市文明办", "主任", []),
    ("D03", "市教育局", "局长", [("市第一中学", "校长"), ("市实验小学", "校长")]),
    ("D04", "市公安局", "局长", [("市公安局巡特警支队", "支队长"), ("市公安局治安管理支队", "支队长")]),
    ("D05", "市公安局交警支队", "支队长", [("交警一大队", "大队长"), ("交警二大队", "大队长")]),
    ("D06", "市民政局", "局长", [("市社会福利院", "院长")]),
    ("D07", "市财政局", "局长", []),
    ("D08", "市人社局", "局长", []),
    ("D09", "市自然资源局", "局长", []),
    ("D10", "市生态环境局", "局长", []),
    ("D11", "市住建局", "局长", [
        ("市市政设施管理处", "处长"), ("市园林绿化中心", "主任"), ("市建设工程质量安全监督站", "站长"),
    ]),
    ("D12", "市城管局", "局长", [("市环境卫生管理中心", "主任"), ("市城市管理综合行政执法支队", "支队长")]),
    ("D13", "市交通运输局", "局长", [("市公交公司", "总经理"), ("市道路运输管理所", "所长")]),
    ("D14", "市水务局", "局长", [("市供水公司", "总经理")]),
    ("D15", "市农业农村局", "局长", []),
    ("D16", "市商务局", "局长", []),
    ("D17", "市文旅局", "局长", [("市图书馆", "馆长"), ("市博物馆", "馆长")]),
    ("D18", "市卫健委", "主任", [("市人民医院", "院长"), ("市中医医院", "院长")]),
    ("D19", "市市场监管局", "局长", []),
    ("D20", "市应急管理局", "局长", []),
    ("D21", "市体育局", "局长", []),
    ("D22", "团市委", "书记", []),
    ("D23", "市妇联", "主席", []),
    ("D24", "市总工会", "常务副主席", []),
    ("D25", "市行政审批服务管理局", "局长", [("市政务服务中心", "主任")]),
    ("D26", "市信访局", "局长", []),
    ("D27", "市司法局", "局长", []),
    ("D28", "市委政法委", "书记", []),
    ("D29", "市委组织部", "部长", []),
    ("D30", "市统计局", "局长", []),
]
# Departments whose head is a city leader (a 市委常委 heads these in most cities).
DEPT_HEAD_IS_LEADER = {"D01": "publicity_chief", "D29": "organization_chief"}

# --- 中省驻市单位: (code, name, head title) ------------------------------------------------------
STATIONED = [
    ("Z01", "中国工商银行{c}分行", "行长"),
    ("Z02", "中国建设银行{c}分行", "行长"),
    ("Z03", "中国农业银行{c}分行", "行长"),
    ("Z04", "中国电信{c}分公司", "总经理"),
    ("Z05", "中国移动{c}分公司", "总经理"),
    ("Z06", "国网{c}供电公司", "总经理"),
    ("Z07", "{c}机场", "总经理"),
    ("Z08", "{c}火车站", "站长"),
    ("Z09", "中国邮政{c}分公司", "总经理"),
]

# --- 县(市、区) and the zone: (code, name, kind, head title, liaison title) -------------------
# Q01 and Q02 are the urban districts (城区): they have streets, communities and shops.
COUNTIES = [
    ("Q01", "凤鸣区", "county", "区委书记", "区文明办主任"),
    ("Q02", "龙泉区", "county", "区委书记", "区文明办主任"),
    ("Q03", "清溪区", "county", "区委书记", "区文明办主任"),
    ("Q04", "白石市", "county", "市委书记", "市文明办主任"),
    ("Q05", "安平县", "county", "县委书记", "县文明办主任"),
    ("Q06", "云岭县", "county", "县委书记", "县文明办主任"),
    ("Q07", "柳河县", "county", "县委书记", "县文明办主任"),
    ("Q08", "北原县", "county", "县委书记", "县文明办主任"),
    ("Q09", "青山县", "county", "县委书记", "县文明办主任"),
    ("Q10", "乐安县", "county", "县委书记", "县文明办主任"),
    ("Q11", "石门县", "county", "县委书记", "县文明办主任"),
    ("Q12", "宁远县", "county", "县委书记", "县文明办主任"),
    ("Q13", "桐林县", "county", "县委书记", "县文明办主任"),
    ("Q14", "{c}高新技术产业开发区", "dev_zone", "党工委书记", "社会事务局局长"),
]
URBAN_DISTRICTS = ("Q01", "Q02")

# Streets of the urban districts: (name, main road for addresses, number of communities).
STREETS = {
    "Q01": [("东关街道", "东关大街", 4), ("西街街道", "西大街", 5), ("南街街道", "南大街", 4),
            ("北关街道", "北关路", 4), ("紫金街道", "紫金路", 4), ("凤山街道", "凤山路", 4)],
    "Q02": [("龙泉街道", "龙泉路", 4), ("滨河街道", "滨河路", 4), ("新华街道", "新华街", 3),
            ("光明街道", "光明路", 4), ("建设街道", "建设路", 4)],
}
# Community names, taken in order (44 are used); none repeats in the city.
COMMUNITY_NAMES = (
    "友谊", "幸福", "光华", "胜利", "解放", "新村", "南苑", "北苑", "花园", "东方", "西苑", "春晖",
    "阳光", "康宁", "学府", "锦绣", "翠苑", "工人新村", "桥东", "桥西", "东湖", "金桥", "长青", "园丁",
    "站前", "民主", "团结", "公园", "府前", "育才", "迎宾", "朝阳", "丽景", "安康", "紫荆", "银河",
    "芙蓉", "梧桐", "杏林", "丰收", "体育场", "星光", "秀水", "翠竹",
)
# Shops per community in the first urban district (25 communities -> 50 shops).
SHOPS_PER_COMMUNITY = 2
SHOP_DISTRICT = "Q01"
SHOP_BRANDS = (
    "鑫源", "福满", "顺发", "佳美", "金鼎", "百姓", "惠民", "老街", "聚福", "同心", "永盛", "益康",
    "好邻居", "晨光", "家和", "万隆", "四季", "兴旺", "德顺", "新世纪",
)
SHOP_TYPES = (
    "超市", "便利店", "面馆", "饺子馆", "大药房", "理发店", "五金店", "水果店", "烟酒店", "干洗店",
    "手机店", "眼镜店", "包子铺", "烧烤店", "文具店", "花店", "茶叶店", "打印店", "母婴店", "烘焙坊",
)

# --- HQ office posts: (username, title, is_head, roles) ------------------------------------------
HQ_POSTS = [
    ("hq_director", "主任", True, (Role.HQ_STAFF,)),
    ("hq.deputy", "副主任", False, (Role.HQ_STAFF,)),
    ("hq.coordination", "综合协调科科长", False, (Role.HQ_STAFF,)),
    ("hq.evaluation", "督查考评科科长", False, (Role.HQ_STAFF,)),
    ("inspector", "督查员", False, (Role.INSPECTOR,)),
]

# --- working groups: (code, name, lead, lead unit, other member units, duties) ----------------
# Staff: the lead unit's liaison; the HQ office group is served by the office's deputy director.
GROUPS = [
    ("G1", "优美环境组", "mayor", "D12", ["D11", "D10", "D09", "D14", "D12-02", "Q01", "Q02"],
     "负责市容市貌、环境卫生、园林绿化、背街小巷和建筑工地整治。"),
    ("G2", "优良秩序组", "vice_mayor", "D04", ["D05", "D13", "D19", "D20", "D27", "D28"],
     "负责交通秩序、社会治安、市场秩序和公共安全。"),
    ("G3", "优质服务组", "exec_vice_mayor", "D25",
     ["D18", "D16", "D06", "D08", "Z01", "Z02", "Z03", "Z04", "Z05", "Z06", "Z07", "Z08", "Z09"],
     "负责窗口单位、公共服务、医疗卫生和中省驻市单位的文明服务。"),
    ("G4", "优秀文化组", "publicity_chief", "D01", ["D17", "D03", "D21", "D22", "D01-01", "D01-02"],
     "负责公益广告、文化设施、未成年人思想道德建设和创建宣传。"),
    ("G5", "文明创建组", "npc_vice_chair", "D02", ["D23", "D24", "D22", "Q01", "Q02", "Q14"],
     "负责文明单位、文明社区、文明家庭创建和市民文明素质提升。"),
    ("G6", "指挥部办公室", "deputy_secretary", HQ_CODE, ["D02", "D01", "D29", "D30"],
     "负责综合协调、督查考评、信息报送和台账管理。"),
]

# --- 一级挂钩: city leader -> departments, stationed units and counties ------------------------
LEVEL1 = {
    "party_secretary": ["Q01"],
    "deputy_secretary": ["D02", "D28", "Q02"],
    "publicity_chief": ["D01", "D17", "Q03"],
    "organization_chief": ["D29", "D24", "Q04"],
    "npc_chair": ["D27", "Q05"],
    "npc_vice_chair": ["D23", "Q06"],
    "mayor": ["D11", "D12", "Q14"],
    "exec_vice_mayor": ["D07", "D25", "D16", "Z01", "Z02", "Z03", "Q07"],
    "vice_mayor": ["D04", "D05", "D20", "Q08"],
    "vice_mayor_social": ["D03", "D18", "D06", "D21", "D08", "Q09"],
    "vice_mayor_urban": ["D09", "D10", "D13", "D14", "D15", "Z04", "Z05", "Z06", "Z07", "Q10"],
    "cppcc_chair": ["D19", "D26", "Q11"],
    "cppcc_vice_chair": ["D22", "D30", "Z08", "Z09", "Q12", "Q13"],
}

# --- people's names -----------------------------------------------------------------------------
SURNAMES = (
    "王李刘陈杨赵黄周吴徐孙胡朱高林何郭罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭苏蒋蔡贾丁魏薛叶"
    "阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱江顾侯邵孟段雷钱汤尹黎易常武乔贺"
)
GIVEN_FIRST = "建志海丽文晓国永春秀德明红玉立振俊慧雅子嘉思宏凤金桂新素卫向敏瑞"
GIVEN_SECOND = "强燕华博东军梅芳涛杰静磊伟霞娟勇峰琳宁辉萍斌鹏玲超鑫洁刚婷浩岚颖"

# --- demo login accounts, in the order of the accounts file ---------------------------------------
# (role, username).  The first unit_head and the liaison work in the same community; the
# second unit_head heads that community's district.
DEMO_COMMUNITY = "Q01-J01-S01"
DEMO_DISTRICT = "Q01"
DEMO_LOGINS = [
    (Role.LEADER, "mayor"),
    (Role.HQ_STAFF, "hq_director"),
    (Role.GROUP_LEAD, "vice_mayor"),
    (Role.UNIT_HEAD, "community_head"),
    (Role.UNIT_HEAD, "district_head"),
    (Role.LIAISON, "community_liaison"),
    (Role.INSPECTOR, "inspector"),
    (Role.DEPUTY, "deputy"),
    (Role.CITIZEN, "citizen"),
    (Role.SYSADMIN, "sysadmin"),
    (Role.SECADMIN, "secadmin"),
    (Role.AUDITOR, "auditor"),
]
# Usernames of people who would otherwise be named after their unit ("q01.head").
USERNAME_OVERRIDES = {
    (DEMO_COMMUNITY, "head"): "community_head",
    (DEMO_COMMUNITY, "liaison"): "community_liaison",
    (DEMO_DISTRICT, "head"): "district_head",
}
# Demo people without a post: (username, roles).  Deputies and citizens act through visits
# and reports, the three administrators through their consoles.
UNPOSTED = [
    ("deputy", (Role.DEPUTY,)),
    ("citizen", (Role.CITIZEN,)),
    ("sysadmin", (Role.SYSADMIN,)),
    ("secadmin", (Role.SECADMIN,)),
    ("auditor", (Role.AUDITOR,)),
]
