"""The demo city's organisation: the counties, districts and zones the seed names, about forty
municipal departments, the city leaders and their portfolios. All people are fictional."""

# (code, name, short name); order is the order a city's documents list them in.
OFFICES = [
    ("zfb", "市人民政府办公室", "市政府办"),
    ("dcs", "市人民政府督查室", "督查室"),
    ("jxb", "市绩效管理办公室", "绩效办"),
]

DEPARTMENTS = [
    ("fgw", "市发展和改革委员会", "发改委"),
    ("jyj", "市教育局", "教育局"),
    ("kjj", "市科学技术局", "科技局"),
    ("gxj", "市工业和信息化局", "工信局"),
    ("mzw", "市民族宗教事务委员会", "民宗委"),
    ("gaj", "市公安局", "公安局"),
    ("mzj", "市民政局", "民政局"),
    ("sfj", "市司法局", "司法局"),
    ("czj", "市财政局", "财政局"),
    ("rsj", "市人力资源和社会保障局", "人社局"),
    ("zrzyj", "市自然资源和规划局", "自然资源和规划局"),
    ("sthjj", "市生态环境局", "生态环境局"),
    ("zjj", "市住房和城乡建设局", "住建局"),
    ("cgj", "市城市管理局", "城管局"),
    ("jtj", "市交通运输局", "交通运输局"),
    ("slj", "市水利局", "水利局"),
    ("nyj", "市农业农村局", "农业农村局"),
    ("swj", "市商务局", "商务局"),
    ("wlj", "市文化广电和旅游局", "文广旅局"),
    ("wjw", "市卫生健康委员会", "卫健委"),
    ("tyjrj", "市退役军人事务局", "退役军人局"),
    ("yjj", "市应急管理局", "应急管理局"),
    ("sjj", "市审计局", "审计局"),
    ("gzw", "市人民政府国有资产监督管理委员会", "国资委"),
    ("scjgj", "市市场监督管理局", "市场监管局"),
    ("tyj", "市体育局", "体育局"),
    ("tjj", "市统计局", "统计局"),
    ("ybj", "市医疗保障局", "医保局"),
    ("lyj", "市林业局", "林业局"),
    ("xczxj", "市乡村振兴局", "乡村振兴局"),
    ("jgswj", "市机关事务管理局", "机关事务局"),
    ("xfj", "市信访局", "信访局"),
    ("xzspj", "市行政审批服务局", "审批服务局"),
    ("tzcjj", "市投资促进局", "投促局"),
    ("dsjj", "市大数据管理局", "大数据局"),
    ("wsb", "市人民政府外事办公室", "外事办"),
    ("jrj", "市地方金融监督管理局", "金融局"),
    ("lsj", "市粮食和物资储备局", "粮储局"),
    ("rfb", "市人民防空办公室", "人防办"),
    ("gjj", "市住房公积金管理中心", "公积金中心"),
]

COUNTIES = [
    ("wancheng", "宛城区人民政府", "宛城区"),
    ("wolong", "卧龙区人民政府", "卧龙区"),
    ("nanzhao", "南召县人民政府", "南召县"),
    ("fangcheng", "方城县人民政府", "方城县"),
    ("xixia", "西峡县人民政府", "西峡县"),
    ("zhenping", "镇平县人民政府", "镇平县"),
    ("neixiang", "内乡县人民政府", "内乡县"),
    ("xichuan", "淅川县人民政府", "淅川县"),
    ("sheqi", "社旗县人民政府", "社旗县"),
    ("tanghe", "唐河县人民政府", "唐河县"),
    ("xinye", "新野县人民政府", "新野县"),
    ("tongbai", "桐柏县人民政府", "桐柏县"),
    ("dengzhou", "邓州市人民政府", "邓州市"),
]

ZONES = [
    ("sfq", "城乡一体化示范区管委会", "城乡一体化示范区"),
    ("gxq", "高新区管委会", "高新区"),
    ("yhgq", "鸭河工区管委会", "鸭河工区"),
    ("gzgq", "官庄工区管委会", "官庄工区"),
]

# The mayor and the vice mayors: (username, name, title, duties, portfolio unit codes).
# Each vice mayor also keeps contact with some counties and zones (联系县区), as cities do.
MAYOR: tuple[str, str, str, str, list[str]] = ("shizhang", "王建国", "市长", "主持市政府全面工作", [])
VICE_MAYORS = [
    ("fushizhang", "李志强", "常务副市长", "负责发展改革、财政、审计、统计、国资、金融、机关事务",
     ["fgw", "czj", "sjj", "tjj", "gzw", "jrj", "jgswj", "wancheng", "gxq"]),
    ("fsz_gy", "张红梅", "副市长", "负责工业、信息化、科技、商务、招商、大数据",
     ["gxj", "kjj", "swj", "tzcjj", "dsjj", "wolong", "sfq"]),
    ("fsz_cj", "刘卫东", "副市长", "负责城市规划建设管理、住房、自然资源、人防",
     ["zjj", "cgj", "zrzyj", "rfb", "gjj", "fangcheng", "zhenping"]),
    ("fsz_jt", "陈立新", "副市长", "负责交通、水利、生态环境、林业",
     ["jtj", "slj", "sthjj", "lyj", "nanzhao", "yhgq"]),
    ("fsz_ny", "杨秀兰", "副市长", "负责农业农村、乡村振兴、粮食和物资储备",
     ["nyj", "xczxj", "lsj", "tanghe", "sheqi"]),
    ("fsz_jy", "赵文博", "副市长", "负责教育、卫生健康、医疗保障、文化旅游、体育",
     ["jyj", "wjw", "ybj", "wlj", "tyj", "xixia", "neixiang"]),
    ("fsz_ga", "黄振华", "副市长", "负责公安、司法、信访、应急管理、退役军人事务",
     ["gaj", "sfj", "xfj", "yjj", "tyjrj", "xichuan", "gzgq"]),
    ("fsz_mz", "周丽娟", "副市长", "负责民政、人力资源和社会保障、市场监管、民族宗教、外事、行政审批",
     ["mzj", "rsj", "scjgj", "mzw", "wsb", "xzspj", "xinye", "tongbai", "dengzhou"]),
]

SECTIONS = ["办公室", "综合科", "督查督办科"]

# Fictional names, combined deterministically so that a second run gives the same people.
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = [
    "国庆", "海燕", "建华", "晓东", "丽华", "志刚", "玉兰", "文杰", "秀英", "明辉", "春梅", "永强",
    "红霞", "德胜", "桂芳", "俊峰", "婷婷", "新民", "淑珍", "宏伟", "雪梅", "振宇", "慧敏", "长青",
]

DEMO_PASSWORD = "demo-only-2026"

# One account per role: (username, name, role, unit code or None, title).
DEMO_ACCOUNTS = [
    ("duchashi", "督查室演示账号", "supervision_office", "dcs", "督查室科员"),
    ("zhengfuban", "市政府办演示账号", "general_office", "zfb", "综合科科员"),
    ("jixiaoban", "绩效办演示账号", "performance_office", "jxb", "考评科科员"),
    ("fgw_admin", "发改委单位管理员", "unit_admin", "fgw", "办公室主任"),
    ("fgw_staff", "发改委工作人员", "unit_staff", "fgw", "督查督办科科员"),
    ("xixia_staff", "西峡县工作人员", "unit_staff", "xixia", "政府办科员"),
    # The approval service office (S3): its administrator edits the approval catalogue, its clerk runs a window.
    ("shenpi", "审批局管理员", "unit_admin", "xzspj", "审批管理科科长"),
    ("chuangkou", "窗口工作人员", "unit_staff", "xzspj", "政务服务窗口受理员"),
    ("renshi", "组织部演示账号", "hr", None, "干部科科员"),
    ("sysadmin", "系统管理员", "system_admin", None, "系统管理员"),
    ("secadmin", "安全管理员", "security_admin", None, "安全管理员"),
    ("auditor", "审计管理员", "auditor", None, "审计管理员"),
]
