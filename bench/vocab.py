"""Word lists for the generated data set: people, companies, regions. Plain data, no logic."""

from kehu.customers.choices import Industry

# (surname, pinyin, relative frequency)
SURNAMES = [
    ("王", "wang", 72), ("李", "li", 71), ("张", "zhang", 68), ("刘", "liu", 54), ("陈", "chen", 45),
    ("杨", "yang", 31), ("黄", "huang", 23), ("赵", "zhao", 22), ("吴", "wu", 20), ("周", "zhou", 19),
    ("徐", "xu", 16), ("孙", "sun", 15), ("马", "ma", 15), ("朱", "zhu", 14), ("胡", "hu", 13),
    ("郭", "guo", 12), ("何", "he", 12), ("林", "lin", 11), ("高", "gao", 11), ("罗", "luo", 11),
    ("郑", "zheng", 10), ("梁", "liang", 9), ("谢", "xie", 8), ("宋", "song", 8), ("唐", "tang", 8),
    ("许", "xu", 7), ("韩", "han", 7), ("冯", "feng", 7), ("邓", "deng", 7), ("曹", "cao", 6),
    ("彭", "peng", 6), ("曾", "zeng", 6), ("肖", "xiao", 6), ("田", "tian", 5), ("董", "dong", 5),
    ("袁", "yuan", 5), ("潘", "pan", 5), ("于", "yu", 5), ("蒋", "jiang", 5), ("蔡", "cai", 5),
    ("余", "yu", 4), ("杜", "du", 4), ("叶", "ye", 4), ("程", "cheng", 4), ("苏", "su", 4),
    ("魏", "wei", 4), ("吕", "lv", 4), ("丁", "ding", 4), ("任", "ren", 3), ("沈", "shen", 3),
    ("姚", "yao", 3), ("卢", "lu", 3), ("姜", "jiang", 3), ("崔", "cui", 3), ("钟", "zhong", 3),
    ("谭", "tan", 3), ("陆", "lu", 3), ("汪", "wang", 3), ("范", "fan", 3), ("金", "jin", 3),
    ("欧阳", "ouyang", 1), ("司马", "sima", 1), ("上官", "shangguan", 1), ("诸葛", "zhuge", 1),
]  # fmt: skip

GIVEN_NAMES = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("秀英", "xiuying"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"),
    ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"),
    ("秀兰", "xiulan"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("建华", "jianhua"),
    ("晓东", "xiaodong"), ("海燕", "haiyan"), ("志强", "zhiqiang"), ("文博", "wenbo"), ("雨桐", "yutong"),
    ("子涵", "zihan"), ("浩然", "haoran"), ("思琪", "siqi"), ("梓萱", "zixuan"), ("俊杰", "junjie"),
    ("欣怡", "xinyi"), ("宇航", "yuhang"), ("佳怡", "jiayi"), ("国庆", "guoqing"), ("红梅", "hongmei"),
    ("建国", "jianguo"), ("春燕", "chunyan"), ("晨", "chen"), ("鑫", "xin"), ("婷", "ting"),
    ("博", "bo"), ("颖", "ying"), ("浩", "hao"), ("丹", "dan"), ("凯", "kai"), ("琳", "lin"),
    ("鹏", "peng"), ("雪", "xue"), ("斌", "bin"), ("慧", "hui"), ("宁", "ning"), ("玉兰", "yulan"),
    ("立新", "lixin"), ("家豪", "jiahao"), ("一鸣", "yiming"), ("诗涵", "shihan"), ("天佑", "tianyou"),
]  # fmt: skip

ENGLISH_FIRST = [
    "James", "Mary", "Robert", "Linda", "Michael", "Sarah", "David", "Emma", "Daniel", "Olivia",
    "Thomas", "Sophie", "Kevin", "Grace", "Peter", "Laura", "Mark", "Helen", "Steven", "Anna",
]  # fmt: skip
ENGLISH_LAST = [
    "Smith", "Johnson", "Brown", "Miller", "Wilson", "Taylor", "Anderson", "Clark", "Lewis", "Walker",
    "Young", "King", "Wright", "Hill", "Green", "Baker", "Nelson", "Carter", "Mitchell", "Turner",
]  # fmt: skip

# Two-character brand names of Chinese companies are built from a first and a second character.
BRAND_FIRST = [
    ("恒", "heng"), ("华", "hua"), ("金", "jin"), ("东", "dong"), ("瑞", "rui"), ("博", "bo"),
    ("天", "tian"), ("鼎", "ding"), ("宏", "hong"), ("中", "zhong"), ("联", "lian"), ("嘉", "jia"),
    ("星", "xing"), ("汇", "hui"), ("锦", "jin"), ("远", "yuan"), ("卓", "zhuo"), ("鸿", "hong"),
    ("海", "hai"), ("正", "zheng"), ("同", "tong"), ("伟", "wei"), ("朗", "lang"), ("安", "an"),
    ("明", "ming"), ("思", "si"), ("云", "yun"), ("蓝", "lan"), ("聚", "ju"), ("启", "qi"),
    ("盛", "sheng"), ("九", "jiu"), ("银", "yin"), ("新", "xin"), ("凯", "kai"), ("永", "yong"),
]  # fmt: skip
BRAND_SECOND = [
    ("瑞", "rui"), ("信", "xin"), ("桥", "qiao"), ("方", "fang"), ("丰", "feng"), ("远", "yuan"),
    ("成", "cheng"), ("盛", "sheng"), ("达", "da"), ("科", "ke"), ("创", "chuang"), ("禾", "he"),
    ("辰", "chen"), ("通", "tong"), ("程", "cheng"), ("宇", "yu"), ("景", "jing"), ("越", "yue"),
    ("运", "yun"), ("纳", "na"), ("泰", "tai"), ("业", "ye"), ("润", "run"), ("德", "de"),
    ("源", "yuan"), ("帆", "fan"), ("力", "li"), ("元", "yuan"), ("和", "he"), ("兴", "xing"),
]  # fmt: skip

# What a company does, by industry: the middle of its name, with an English word for its domain.
TRADES = {
    Industry.IT: [("信息科技", "tech"), ("软件", "soft"), ("网络科技", "net"), ("数据科技", "data"),
                  ("智能科技", "ai"), ("云计算", "cloud")],
    Industry.MANUFACTURING: [("精密机械", "mech"), ("电子", "elec"), ("新材料", "mat"),
                             ("汽车零部件", "auto"), ("自动化设备", "auto"), ("包装制品", "pack")],
    Industry.FINANCE: [("投资管理", "invest"), ("融资租赁", "lease"), ("资产管理", "asset"),
                       ("商业保理", "fin")],
    Industry.RETAIL: [("商贸", "trade"), ("贸易", "trade"), ("百货", "store"), ("食品", "food"),
                      ("连锁超市", "mart")],
    Industry.EDUCATION: [("教育科技", "edu"), ("职业培训", "edu"), ("文化传播", "media")],
    Industry.HEALTHCARE: [("医疗器械", "med"), ("医药", "pharm"), ("生物科技", "bio"),
                          ("健康管理", "health")],
    Industry.CONSTRUCTION: [("建设工程", "build"), ("置业", "estate"), ("装饰工程", "deco"),
                            ("建材", "build")],
    Industry.LOGISTICS: [("物流", "logistics"), ("供应链管理", "scm"), ("国际货运代理", "freight"),
                         ("仓储服务", "store")],
    Industry.ENERGY: [("新能源", "energy"), ("电力科技", "power"), ("光伏科技", "solar"),
                      ("储能技术", "ess")],
    Industry.GOVERNMENT: [("公共资源交易中心", "gov"), ("人民医院", "hospital"), ("市场监督管理局", "gov"),
                          ("第一中学", "school")],
    Industry.SERVICES: [("企业管理咨询", "consult"), ("人力资源", "hr"), ("广告", "ad"),
                        ("知识产权代理", "ip")],
    Industry.OTHER: [("实业", "group"), ("发展", "dev")],
}  # fmt: skip
INDUSTRY_WEIGHTS = {
    Industry.MANUFACTURING: 22, Industry.IT: 16, Industry.RETAIL: 14, Industry.CONSTRUCTION: 8,
    Industry.SERVICES: 8, Industry.LOGISTICS: 7, Industry.HEALTHCARE: 6, Industry.FINANCE: 5,
    Industry.EDUCATION: 5, Industry.ENERGY: 4, Industry.GOVERNMENT: 2, Industry.OTHER: 3,
}  # fmt: skip
COMPANY_SUFFIXES = ["有限公司"] * 14 + ["股份有限公司"] * 3 + ["集团有限公司", "有限责任公司"]

ENGLISH_BRANDS = [
    "Northwind", "Bluewater", "Evergreen", "Summit", "Pioneer", "Silverline", "Redwood", "Brightpath",
    "Oakridge", "Horizon", "Sterling", "Crescent", "Atlas", "Beacon", "Granite", "Harbor",
]  # fmt: skip
ENGLISH_TRADES = ["Trading", "Technology", "Logistics", "Industrial", "Medical", "Consulting", "Foods"]
ENGLISH_SUFFIXES = ["Co., Ltd.", "Ltd.", "Inc.", "LLC", "GmbH", "(China) Co., Ltd."]

# Sales regions -> provinces -> (city, telephone area code, districts). The region a team sells in
# decides where most of its customers are.
REGIONS = [
    ("华东区", {
        "上海": [("上海", "21", ["浦东新区", "徐汇区", "静安区", "闵行区", "嘉定区"])],
        "浙江": [("杭州", "571", ["西湖区", "滨江区", "余杭区"]), ("宁波", "574", ["鄞州区", "北仑区"])],
        "江苏": [("南京", "25", ["玄武区", "江宁区"]), ("苏州", "512", ["工业园区", "吴中区", "昆山市"])],
        "安徽": [("合肥", "551", ["蜀山区", "包河区"])],
        "山东": [("济南", "531", ["历下区", "高新区"]), ("青岛", "532", ["市南区", "黄岛区"])],
    }),
    ("华南区", {
        "广东": [("广州", "20", ["天河区", "番禺区", "黄埔区"]),
                 ("深圳", "755", ["南山区", "福田区", "宝安区"]),
                 ("东莞", "769", ["长安镇", "松山湖"])],
        "福建": [("厦门", "592", ["思明区", "湖里区"]), ("福州", "591", ["鼓楼区", "仓山区"])],
        "广西": [("南宁", "771", ["青秀区", "西乡塘区"])],
        "海南": [("海口", "898", ["龙华区", "美兰区"])],
    }),
    ("华北区", {
        "北京": [("北京", "10", ["海淀区", "朝阳区", "丰台区", "大兴区"])],
        "天津": [("天津", "22", ["滨海新区", "和平区"])],
        "河北": [("石家庄", "311", ["长安区", "裕华区"]), ("保定", "312", ["竞秀区"])],
        "山西": [("太原", "351", ["小店区"])],
    }),
    ("西南区", {
        "四川": [("成都", "28", ["武侯区", "高新区", "锦江区"])],
        "重庆": [("重庆", "23", ["渝北区", "江北区", "九龙坡区"])],
        "云南": [("昆明", "871", ["五华区", "盘龙区"])],
        "贵州": [("贵阳", "851", ["观山湖区"])],
    }),
    ("华中区", {
        "湖北": [("武汉", "27", ["洪山区", "江汉区", "东湖高新区"])],
        "湖南": [("长沙", "731", ["岳麓区", "雨花区"])],
        "河南": [("郑州", "371", ["金水区", "郑东新区"])],
        "江西": [("南昌", "791", ["红谷滩区"])],
    }),
    ("西北区", {
        "陕西": [("西安", "29", ["雁塔区", "未央区", "高新区"])],
        "甘肃": [("兰州", "931", ["城关区"])],
        "新疆": [("乌鲁木齐", "991", ["天山区"])],
        "宁夏": [("银川", "951", ["金凤区"])],
    }),
    ("东北区", {
        "辽宁": [("沈阳", "24", ["和平区", "浑南区"]), ("大连", "411", ["中山区", "甘井子区"])],
        "吉林": [("长春", "431", ["朝阳区", "南关区"])],
        "黑龙江": [("哈尔滨", "451", ["南岗区", "道里区"])],
    }),
]  # fmt: skip
# Administrative division codes (the 3rd–8th characters of a credit code), one per city.
DIVISION_CODES = {
    "上海": "310115", "杭州": "330106", "宁波": "330212", "南京": "320102", "苏州": "320506",
    "合肥": "340104", "济南": "370102", "青岛": "370202", "广州": "440106", "深圳": "440305",
    "东莞": "441900", "厦门": "350203", "福州": "350102", "南宁": "450103", "海口": "460106",
    "北京": "110108", "天津": "120116", "石家庄": "130102", "保定": "130602", "太原": "140105",
    "成都": "510107", "重庆": "500112", "昆明": "530102", "贵阳": "520115", "武汉": "420111",
    "长沙": "430104", "郑州": "410105", "南昌": "360113", "西安": "610113", "兰州": "620102",
    "乌鲁木齐": "650102", "银川": "640106", "沈阳": "210102", "大连": "210202", "长春": "220104",
    "哈尔滨": "230103",
}  # fmt: skip
ROADS = ["人民路", "中山路", "解放路", "建设路", "科技路", "长江路", "文化路", "创业大道", "新华路", "学府路"]
TEAM_SUFFIXES = ["一组", "二组", "三组", "四组", "五组", "六组"]

MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183", "185", "186",
    "187", "188", "189", "191", "198", "199",
]  # fmt: skip
PERSONAL_MAIL_DOMAINS = ["qq.com", "163.com", "126.com", "foxmail.com", "outlook.com", "gmail.com"]

CONTACT_TITLES = [
    "总经理", "副总经理", "采购经理", "采购专员", "技术总监", "IT经理", "财务经理", "行政主管",
    "运营总监", "销售总监", "项目经理", "工程师", "董事长", "Procurement Manager", "CTO",
]  # fmt: skip

# (name, Bootstrap colour)
TAGS = [
    ("重点客户", "danger"), ("VIP", "warning"), ("老客户", "success"), ("转介绍", "info"),
    ("展会", "primary"),
    ("政府项目", "dark"), ("招投标", "secondary"), ("续约", "success"), ("价格敏感", "warning"),
    ("决策链长", "secondary"), ("海外", "info"), ("上市公司", "primary"), ("国企", "dark"),
    ("外资", "info"), ("年框", "success"), ("试用中", "primary"), ("需回访", "danger"), ("大客户", "danger"),
    ("渠道", "secondary"), ("官网线索", "info"),
]  # fmt: skip

FOCUS_POINTS = [
    "价格和付款周期", "交付周期", "售后响应速度", "系统集成能力", "数据安全与合规", "品牌和案例",
    "定制化开发", "培训和上线支持", "本地化服务团队", "",
]  # fmt: skip
MOTIVATIONS = [
    "现有供应商服务不满意", "业务扩张需要新增产能", "政策要求升级改造", "降本增效", "新项目立项",
    "年度集中采购", "",
]  # fmt: skip
REMARKS = [
    "", "", "", "客户对报价比较敏感，需要领导出面。", "已约下周拜访。", "决策人是采购总监。",
    "去年展会认识的客户。", "Met at the Canton Fair; prefers email.",
]  # fmt: skip
REASONS = ["离职交接", "区域调整", "客户要求更换对接人", "团队重组"]

# Leads: where they come from (source → relative frequency), the campaigns of each source, what they wrote.
LEAD_SOURCES = {
    "website": 30, "exhibition": 18, "advertising": 15, "referral": 12, "campaign": 10, "cold_call": 6,
    "partner": 6, "other": 3,
}  # fmt: skip
LEAD_CAMPAIGNS = {
    "website": ["官网免费试用", "官网免费试用", "官网咨询", "产品白皮书下载", ""],
    "exhibition": ["2026春季展会", "工业互联网峰会", "中国国际工业博览会", "广交会"],
    "advertising": ["百度推广", "微信朋友圈广告", "抖音信息流", "LinkedIn Ads"],
    "campaign": ["双十一促销", "老客户推荐有礼", "年中大促", "线上直播课"],
    "referral": ["", "老客户推荐有礼"],
}  # fmt: skip
LEAD_REMARKS = [
    "想了解价格和付款方式。", "希望安排产品演示。", "官网留言：请尽快电话联系。", "展会现场扫码留资。",
    "对私有化部署感兴趣。", "需要报价单和案例。", "Asked for an English-speaking contact.", "周末方便联系。",
]  # fmt: skip
# Why a lead was closed as invalid (InvalidReason values), and what reps wrote about it.
INVALID_REASONS = {
    "no_need": 40, "unreachable": 20, "competitor": 10, "spam": 10, "duplicate": 6, "other": 14,
}  # fmt: skip
INVALID_NOTES = ["", "", "暂无采购计划", "预算不足", "已选择其他供应商", "号码错误", "同行询价"]
