"""Word lists for the demo data: people, companies, regions. Plain data, no logic."""

from kehu.customers.choices import Industry

# (surname, pinyin)
SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("罗", "luo"), ("高", "gao"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("萧", "xiao"), ("田", "tian"), ("董", "dong"), ("潘", "pan"),
    ("欧阳", "ouyang"), ("司马", "sima"),
]  # fmt: skip

GIVEN_NAMES = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("秀英", "xiuying"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"),
    ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"),
    ("秀兰", "xiulan"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("建华", "jianhua"),
    ("晓东", "xiaodong"), ("海燕", "haiyan"), ("志强", "zhiqiang"), ("文博", "wenbo"),
    ("雨桐", "yutong"), ("子涵", "zihan"), ("浩然", "haoran"), ("思琪", "siqi"), ("梓萱", "zixuan"),
    ("俊杰", "junjie"), ("欣怡", "xinyi"), ("宇航", "yuhang"), ("佳怡", "jiayi"), ("国庆", "guoqing"),
    ("红梅", "hongmei"), ("建国", "jianguo"), ("春燕", "chunyan"),
]  # fmt: skip

# Brand words of Chinese company names: (characters, pinyin for the demo web/email domain)
BRANDS = [
    ("恒瑞", "hengrui"), ("华信", "huaxin"), ("金桥", "jinqiao"), ("东方", "dongfang"),
    ("瑞丰", "ruifeng"), ("博远", "boyuan"), ("天成", "tiancheng"), ("鼎盛", "dingsheng"),
    ("宏达", "hongda"), ("中科", "zhongke"), ("联创", "lianchuang"), ("嘉禾", "jiahe"),
    ("星辰", "xingchen"), ("汇通", "huitong"), ("锦程", "jincheng"), ("华宇", "huayu"),
    ("远景", "yuanjing"), ("卓越", "zhuoyue"), ("鸿运", "hongyun"), ("海纳", "haina"),
    ("正泰", "zhengtai"), ("同方", "tongfang"), ("伟业", "weiye"), ("朗润", "langrun"),
    ("安达", "anda"), ("明德", "mingde"), ("思源", "siyuan"), ("云帆", "yunfan"),
    ("蓝海", "lanhai"), ("聚力", "juli"), ("启明", "qiming"), ("盛世", "shengshi"),
    ("九州", "jiuzhou"), ("银河", "yinhe"), ("新元", "xinyuan"), ("凯瑞", "kairui"),
    ("协和", "xiehe"), ("永信", "yongxin"), ("长青", "changqing"), ("万通", "wantong"),
    ("立讯", "lixun"), ("精工", "jinggong"), ("致远", "zhiyuan"), ("科达", "keda"),
    ("华创", "huachuang"), ("泰和", "taihe"), ("信达", "xinda"), ("中天", "zhongtian"),
    ("新航", "xinhang"), ("乐享", "lexiang"),
]  # fmt: skip

# What a company does, by industry: the middle of its name.
TRADES = {
    Industry.IT: ["信息科技", "软件", "网络科技", "数据科技", "智能科技", "云计算"],
    Industry.MANUFACTURING: ["精密机械", "电子", "新材料", "汽车零部件", "自动化设备", "包装制品"],
    Industry.FINANCE: ["投资管理", "融资租赁", "资产管理", "商业保理"],
    Industry.RETAIL: ["商贸", "贸易", "百货", "食品", "连锁超市"],
    Industry.EDUCATION: ["教育科技", "职业培训", "文化传播"],
    Industry.HEALTHCARE: ["医疗器械", "医药", "生物科技", "健康管理"],
    Industry.CONSTRUCTION: ["建设工程", "置业", "装饰工程", "建材"],
    Industry.LOGISTICS: ["物流", "供应链管理", "国际货运代理", "仓储服务"],
    Industry.ENERGY: ["新能源", "电力科技", "光伏科技", "储能技术"],
    Industry.SERVICES: ["企业管理咨询", "人力资源", "广告", "知识产权代理"],
    Industry.OTHER: ["实业", "发展"],
}
COMPANY_SUFFIXES = ["有限公司"] * 7 + ["股份有限公司", "集团有限公司"]
# Public bodies: (name pattern, registration authority + type of the credit code)
GOVERNMENT_BODIES = ["市场监督管理局", "教育局", "卫生健康委员会", "人民医院", "第一中学", "公共资源交易中心"]

ENGLISH_BRANDS = [
    "Northwind", "Bluewater", "Evergreen", "Summit", "Pioneer", "Silverline", "Redwood", "Brightpath",
    "Horizon", "Crescent", "Atlas", "Orion", "Keystone", "Lighthouse", "Maple", "Granite",
]  # fmt: skip
ENGLISH_TRADES = {
    Industry.IT: ["Software", "Analytics", "Cloud Systems"],
    Industry.MANUFACTURING: ["Robotics", "Precision Parts", "Materials"],
    Industry.RETAIL: ["Trading", "Foods"],
    Industry.HEALTHCARE: ["Medical", "Life Sciences"],
    Industry.LOGISTICS: ["Logistics", "Freight"],
    Industry.ENERGY: ["Energy", "Solar"],
    Industry.SERVICES: ["Consulting", "Partners"],
}
ENGLISH_SUFFIXES = ["({city}) Co., Ltd.", "Ltd.", "Inc.", "GmbH"]

CONTACT_TITLES = [
    "总经理", "副总经理", "采购经理", "采购专员", "技术总监", "IT主管", "财务总监", "行政经理",
    "董事长助理", "运营总监", "项目经理", "销售总监",
]  # fmt: skip

TAGS = [
    ("重点客户", "danger"), ("老客户", "primary"), ("VIP", "warning"), ("招投标", "info"),
    ("续约", "success"), ("转介绍", "success"), ("价格敏感", "secondary"), ("决策链长", "secondary"),
    ("已拜访", "primary"), ("待报价", "warning"), ("展会线索", "info"), ("渠道合作", "dark"),
]  # fmt: skip

FOCUS_POINTS = [
    "价格和付款方式", "交付周期", "售后服务响应速度", "系统能否与现有ERP对接", "数据安全与私有化部署",
    "产品质量稳定性", "供应商资质", "培训与上线支持", "性价比", "案例与口碑",
]  # fmt: skip
MOTIVATIONS = [
    "现有供应商服务差，想更换", "业务扩张，需要新增产能", "年度预算已批，需在年内采购", "降本增效",
    "政策合规要求", "新项目立项", "老系统到期需要升级",
]  # fmt: skip
REMARKS = [
    "客户比较关注售后，下次带技术同事一起拜访。", "决策人是总经理，采购经理负责前期对接。",
    "去年合作过一次，反馈不错。", "预算在年底前确定。", "需要先提供样品试用。",
    "通过展会认识，对方留了名片。", "同行推荐过来的客户。",
]  # fmt: skip
TRANSFER_REASONS = ["原负责人离职交接", "区域调整", "客户要求更换对接人", "团队重组"]

# Regions each sales team covers: team → [(province, city, [(district, division code)], phone area code)].
REGIONS = {
    "上海": [("上海市", "上海市", [
        ("浦东新区", "310115"), ("黄浦区", "310101"), ("徐汇区", "310104"), ("长宁区", "310105"),
        ("静安区", "310106"), ("闵行区", "310112"), ("嘉定区", "310114"), ("松江区", "310117"),
    ], "21")],
    "杭州": [
        ("浙江省", "杭州市", [("西湖区", "330106"), ("滨江区", "330108"), ("余杭区", "330110"),
                              ("上城区", "330102"), ("拱墅区", "330105")], "571"),
        ("浙江省", "宁波市", [("鄞州区", "330212"), ("海曙区", "330203")], "574"),
    ],
    "深圳": [("广东省", "深圳市", [("南山区", "440305"), ("福田区", "440304"), ("宝安区", "440306"),
                                  ("龙岗区", "440307"), ("罗湖区", "440303")], "755")],
    "广州": [
        ("广东省", "广州市", [("天河区", "440106"), ("越秀区", "440104"), ("海珠区", "440105"),
                              ("番禺区", "440113"), ("白云区", "440111")], "20"),
        ("广东省", "佛山市", [("南海区", "440605"), ("顺德区", "440606")], "757"),
        ("广东省", "东莞市", [("南城街道", "441900"), ("松山湖", "441900")], "769"),
    ],
    "北京": [("北京市", "北京市", [("朝阳区", "110105"), ("海淀区", "110108"), ("东城区", "110101"),
                                  ("西城区", "110102"), ("丰台区", "110106")], "10")],
}  # fmt: skip
STREETS = {
    "上海市": ["世纪大道", "张江路", "南京西路", "淮海中路", "漕溪北路", "虹桥路", "陆家嘴环路", "延安西路"],
    "杭州市": ["文三路", "江南大道", "文一西路", "延安路", "庆春路"],
    "宁波市": ["中山东路", "天童南路", "药行街"],
    "深圳市": ["深南大道", "科技园南路", "福华三路", "宝安大道", "华强北路"],
    "广州市": ["天河路", "华夏路", "中山五路", "新港东路", "广州大道北"],
    "佛山市": ["桂澜北路", "季华路"],
    "东莞市": ["鸿福路", "工业北路"],
    "北京市": ["建国路", "中关村大街", "长安街", "金融大街", "望京街"],
}
BUILDINGS = ["大厦", "科技园", "国际中心", "商务广场", "创业园", "广场"]
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "191", "198", "199",
]  # fmt: skip
