//! The tables behind the demo data: places, units, enterprises, experts' fields and the project
//! list, drawn from the seed speech (衢州 and 浙江工业大学, 市校全面合作). Every enterprise name is
//! invented. Read by `demo.rs` only.

/// The six counties (县、市、区) of 衢州市: code, name, coordinator's title, industrial addresses.
pub const COUNTIES: [(&str, &str, &str, [&str; 3]); 6] = [
    (
        "330802",
        "柯城区",
        "区委组织部副部长",
        ["高新园区华荫北路", "航埠镇工业功能区", "双港街道芹江路"],
    ),
    (
        "330803",
        "衢江区",
        "区委人才办主任",
        ["东港工业园东港三路", "樟潭街道沈家路", "莲花镇工业园区"],
    ),
    (
        "330881",
        "江山市",
        "市委组织部副部长",
        ["山海协作区江东大道", "贺村镇工业园区", "上余镇工业园区"],
    ),
    (
        "330825",
        "龙游县",
        "县科技局副局长",
        ["龙游经济开发区亲善路", "湖镇镇工业园区", "城北工业园区"],
    ),
    (
        "330822",
        "常山县",
        "县委人才办主任",
        ["常山经济开发区新都大道", "辉埠镇工业功能区", "天马街道胡柚路"],
    ),
    (
        "330824",
        "开化县",
        "县科技局局长",
        ["开化经济开发区华埠园区", "芹阳办事处城北路", "华埠镇工业园区"],
    ),
];
/// Index meaning "the city itself" where a county index is expected.
pub const CITY: usize = 6;

/// City departments under 衢州市: name, short name, contact's title.
pub const DEPARTMENTS: [(&str, &str, &str); 7] = [
    ("中共衢州市委组织部", "市委组织部", "人才工作科科长"),
    ("衢州市科学技术局", "市科技局", "副局长"),
    ("衢州市经济和信息化局", "市经信局", "技术创新科科长"),
    ("衢州市农业农村局", "市农业农村局", "科教科科长"),
    ("衢州市教育局", "市教育局", "副局长"),
    ("衢州市人力资源和社会保障局", "市人力社保局", "专业技术人员管理科科长"),
    ("衢州市发展和改革委员会", "市发改委", "副主任"),
];
pub const DEPT_ORG: usize = 0;
pub const DEPT_SCI: usize = 1;

/// (research fields, keywords) of an expert.
pub type Profile = (&'static str, &'static str);
/// Colleges of the university: name, discipline, then the profiles of its experts.
pub const COLLEGES: [(&str, &str, &[Profile]); 11] = [
    (
        "化学工程学院",
        "化学工程与技术",
        &[
            ("有机硅单体合成与催化", "有机硅,单体合成,催化剂,流化床"),
            ("含氟精细化学品连续流合成", "含氟化学品,连续流,微反应器,精细化工"),
            ("化工过程强化与节能", "过程强化,精馏,节能降耗,化工模拟"),
        ],
    ),
    (
        "机械工程学院",
        "机械工程",
        &[
            ("流体机械与压缩机设计", "螺杆压缩机,转子型线,流体机械,空气动力"),
            ("智能制造与数字化车间", "智能制造,数字孪生,生产线改造,工业机器人"),
            ("精密成形与热处理", "精密锻造,热处理,轴承,变形控制"),
        ],
    ),
    (
        "材料科学与工程学院",
        "材料科学与工程",
        &[
            ("光伏材料与硅片加工", "光伏,硅片,金刚线切割,废料回收"),
            ("含氟高分子与膜材料", "含氟聚合物,膜材料,高分子改性"),
            ("纤维材料与特种纸", "特种纸,纤维改性,涂布,增强"),
        ],
    ),
    (
        "信息工程学院",
        "控制科学与工程",
        &[
            ("工业过程控制与节能", "先进控制,变频调速,节能控制,PLC"),
            ("机器视觉检测", "机器视觉,缺陷检测,深度学习"),
            ("嵌入式系统与物联网", "物联网,传感器,嵌入式,远程运维"),
        ],
    ),
    (
        "计算机科学与技术学院",
        "计算机科学与技术",
        &[
            ("大数据分析与应用", "大数据,数据挖掘,电子商务"),
            ("工业互联网平台", "工业互联网,云平台,设备联网"),
            ("电子政务与数据治理", "电子政务,信息系统,数据治理"),
        ],
    ),
    (
        "环境学院",
        "环境科学与工程",
        &[
            ("工业废水处理与资源化", "含氟废水,高级氧化,资源化"),
            ("流域水环境与生态修复", "水环境,生态修复,面源污染"),
            ("固体废物综合利用", "钢渣,固废利用,余热回收"),
        ],
    ),
    (
        "生物工程学院",
        "生物工程",
        &[
            ("食用菌菌种选育", "食用菌,菌种选育,栽培技术"),
            ("生物发酵与酶工程", "发酵,酶工程,生物催化"),
            ("农产品精深加工", "精深加工,功能食品,胡柚"),
        ],
    ),
    (
        "经济学院",
        "应用经济学",
        &[
            ("区域经济与产业规划", "区域经济,产业规划,县域经济"),
            ("产业经济与转型升级", "产业转型,产业链,新兴产业"),
            ("数字经济", "数字经济,平台经济,农村电商"),
        ],
    ),
    (
        "药学院",
        "药学",
        &[
            ("天然产物提取与活性评价", "天然产物,多糖,提取纯化,活性评价"),
            ("药物分析与食品安全检测", "快速检测,药物分析,食品安全"),
        ],
    ),
    (
        "设计与建筑学院",
        "城乡规划学",
        &[
            ("乡村规划与人居环境", "乡村规划,村庄设计,人居环境"),
            ("工业设计", "工业设计,产品造型,品牌设计"),
            ("文旅创意设计", "文旅融合,创意设计,景观设计"),
        ],
    ),
    (
        "人文学院",
        "中国语言文学",
        &[
            ("地方文化与非物质文化遗产", "非遗,地方戏曲,数字化保护"),
            ("古道文化与历史地理", "古道,历史地理,文化遗产"),
            ("儒学与地方文化", "南孔文化,儒学,城市品牌"),
        ],
    ),
];

/// County–college partnerships (县院合作): (county index, college index, signed on).
pub const PAIRS: [(usize, usize, &str); 6] = [
    (0, 0, "2007-04-20"),
    (1, 2, "2007-04-20"),
    (2, 1, "2008-03-28"),
    (3, 3, "2008-03-28"),
    (4, 6, "2009-05-15"),
    (5, 5, "2009-05-15"),
];

/// Enterprises (all invented): county index, name, GB/T 4754 division, main business.
pub const ENTERPRISES: [(usize, &str, &str, &str); 44] = [
    (0, "衢州宏硅新材料有限公司", "C26", "有机硅单体及下游深加工产品"),
    (0, "衢州氟源化工科技有限公司", "C26", "含氟精细化学品"),
    (0, "浙江衢越氟材料股份有限公司", "C26", "含氟聚合物及膜材料"),
    (0, "衢州晶澄电子化学品有限公司", "C26", "电子级氢氟酸等湿电子化学品"),
    (0, "衢州明硅密封材料有限公司", "C26", "有机硅密封胶与胶粘剂"),
    (0, "衢州智芯电子有限公司", "C39", "片式电子元器件"),
    (0, "衢州联讯通信设备有限公司", "C39", "通信模块与光纤连接器"),
    (0, "衢州锐工五金制品有限公司", "C33", "五金冲压件"),
    (1, "衢州清溪特种纸业有限公司", "C22", "装饰原纸"),
    (1, "衢州云帆纸业有限公司", "C22", "卷烟配套用纸"),
    (1, "浙江衢江新材特种纸有限公司", "C22", "热敏纸与离型纸"),
    (1, "衢州东港钢铁有限公司", "C31", "优质圆钢与螺纹钢"),
    (1, "衢州锦程特钢有限公司", "C31", "合金结构钢"),
    (1, "衢州阳谷光伏科技有限公司", "C38", "晶硅光伏组件"),
    (1, "衢州日升光电有限公司", "C38", "光伏电池片"),
    (1, "衢州丰衍化学有限公司", "C26", "氟化工中间体"),
    (2, "江山鼎力压缩机有限公司", "C34", "螺杆空气压缩机"),
    (2, "江山风驰空气动力设备有限公司", "C34", "节能空压机与气动工具"),
    (2, "浙江江山博气机械有限公司", "C34", "凿岩机械与潜孔钻机"),
    (2, "江山恒动流体机械有限公司", "C34", "真空泵与鼓风机"),
    (2, "江山利刃工具有限公司", "C33", "五金工具"),
    (2, "江山金锁五金有限公司", "C33", "门锁五金"),
    (2, "江山驰远汽车零部件有限公司", "C36", "汽车锻件与转向节"),
    (2, "江山仙霞菌业有限公司", "A01", "香菇、黑木耳栽培"),
    (3, "龙游瀫水特种纸有限公司", "C22", "高档特种装饰纸"),
    (3, "龙游姑蔑纸业有限公司", "C22", "食品包装用纸"),
    (3, "龙游华绮装饰纸有限公司", "C22", "浸渍装饰纸"),
    (3, "龙游天成电路科技有限公司", "C39", "印制电路板"),
    (3, "龙游芯汇电子有限公司", "C39", "电子变压器与电感"),
    (3, "龙游乡味食品有限公司", "C13", "农副产品加工"),
    (3, "龙游永驰汽车配件有限公司", "C36", "汽车制动零部件"),
    (4, "常山精轴轴承有限公司", "C34", "深沟球轴承"),
    (4, "常山远航轴承有限公司", "C34", "汽车轮毂轴承"),
    (4, "常山柚香食品有限公司", "C13", "胡柚深加工"),
    (4, "常山菇乡菌业科技有限公司", "C13", "食用菌精深加工"),
    (4, "常山金川食用菌有限公司", "A01", "食用菌工厂化栽培"),
    (4, "常山芳村菌菇种植有限公司", "A01", "猴头菇栽培"),
    (4, "常山固特紧固件有限公司", "C33", "高强度紧固件"),
    (5, "开化晶源硅材料有限公司", "C39", "单晶硅片"),
    (5, "开化钱江源硅业有限公司", "C39", "高纯多晶硅"),
    (5, "开化光华电子材料有限公司", "C39", "电子级硅材料"),
    (5, "开化源能光伏有限公司", "C38", "光伏组件"),
    (5, "开化山珍菌业有限公司", "A01", "黑木耳、灵芝栽培"),
    (5, "开化山里人家食品有限公司", "C13", "山区特色农产品加工"),
];

/// School–enterprise agreements: (county, industry, college) — the first enterprise matching.
pub const SCHOOL_ENTERPRISE: [(usize, &str, usize); 4] = [(0, "C26", 0), (2, "C34", 1), (3, "C22", 2), (5, "C39", 2)];

/// Who leads a project (牵头单位).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lead {
    /// An enterprise of the project's county and industry.
    Ent,
    /// The project's college.
    College,
    /// A city department (index into DEPARTMENTS).
    Dept(usize),
    /// The project's county (or the city).
    County,
    /// The university's technology-transfer centre.
    Centre,
    /// The postdoc workstation.
    Station,
    /// The vocational college.
    Voc,
}
use Lead::*;

/// kind, title, lead, college, county (CITY for city-wide), industry ("" for none).
pub type ProjectRow = (&'static str, &'static str, Lead, Option<usize>, usize, &'static str);
/// The project list, in the order projects are created (batch years rotate: this year, -1, -2).
pub const PROJECTS: [ProjectRow; 61] = [
    ("research", "有机硅单体合成工艺优化", Ent, Some(0), 0, "C26"),
    ("engineering", "光伏硅片切割废料回收", Ent, Some(2), 5, "C39"),
    ("talent", "科技乡镇长培训", Dept(0), None, CITY, ""),
    ("engineering", "空压机节能控制系统研发", Ent, Some(3), 2, "C34"),
    ("platform", "氟硅新材料联合研发中心建设", Ent, Some(0), 0, "C26"),
    ("engineering", "特种纸涂布技术攻关", Ent, Some(2), 3, "C22"),
    ("research", "食用菌菌种选育与深加工", Ent, Some(6), 4, "A01"),
    ("talent", "青年干部培训班", Dept(0), None, CITY, ""),
    ("livelihood", "乡村规划编制", County, Some(9), 4, ""),
    ("culture", "千年古道文化遗产保护与展示研究", County, Some(10), 2, ""),
    ("service", "企业技术难题征集与对接服务", Centre, None, CITY, ""),
    ("platform", "博士后工作站建设", Station, Some(0), 0, "C26"),
    ("research", "含氟精细化学品连续流合成研究", College, Some(0), 0, "C26"),
    ("engineering", "螺杆压缩机转子型线优化设计", Ent, Some(1), 2, "C34"),
    ("talent", "企业经营管理人才研修班", Dept(2), Some(7), CITY, ""),
    ("engineering", "含氟废水深度处理与资源化", Ent, Some(5), 0, "C26"),
    ("service", "项目包装与工业设计服务", College, Some(9), CITY, ""),
    ("livelihood", "农村生活污水治理技术指导", County, Some(5), 5, ""),
    ("research", "氟硅新材料产业技术路线图研究", College, Some(7), 0, "C26"),
    ("engineering", "钢渣综合利用与余热回收", Ent, Some(5), 1, "C31"),
    ("culture", "南孔文化传承与城市品牌策划", College, Some(10), CITY, ""),
    (
        "platform",
        "浙江工业大学衢州技术转移中心能力建设",
        Centre,
        None,
        CITY,
        "",
    ),
    ("engineering", "五金工具智能化生产线改造", Ent, Some(1), 2, "C33"),
    ("talent", "衢州学院专升本师资培养", Dept(4), None, CITY, ""),
    ("research", "特种纸纤维改性与增强机理研究", College, Some(2), 1, "C22"),
    ("engineering", "汽车转向节精密锻造工艺改进", Ent, Some(2), 2, "C36"),
    ("livelihood", "民情档案信息系统开发", County, Some(4), 0, ""),
    ("service", "专家服务团进企业技术诊断", Centre, Some(1), 2, "C34"),
    ("engineering", "电子级氢氟酸提纯工艺开发", Ent, Some(0), 0, "C26"),
    ("platform", "空气动力机械中试基地建设", Ent, Some(1), 2, "C34"),
    ("research", "食用菌多糖提取与活性评价", College, Some(8), 4, "C13"),
    ("talent", "在职工程硕士衢州班", Dept(5), Some(1), CITY, ""),
    ("engineering", "印制电路板数字化车间建设", Ent, Some(3), 3, "C39"),
    ("culture", "大学生暑期“三下乡”社会实践", College, Some(10), 5, ""),
    ("livelihood", "城区饮用水源地水质安全评估", College, Some(5), CITY, ""),
    ("engineering", "轴承套圈热处理变形控制", Ent, Some(1), 4, "C34"),
    ("research", "钱江源流域水环境容量研究", College, Some(5), 5, ""),
    ("platform", "特种纸工程技术研究中心共建", Ent, Some(2), 3, "C22"),
    ("service", "县域产业发展规划咨询", College, Some(7), 3, ""),
    ("talent", "四省边际职教中心师资培训", Voc, Some(1), CITY, ""),
    ("engineering", "特种纸机湿部化学品国产化替代", Ent, Some(0), 1, "C22"),
    ("culture", "龙游石窟文化旅游创意设计", College, Some(9), 3, ""),
    ("research", "光伏电池片效率衰减机理研究", College, Some(2), 1, "C38"),
    ("livelihood", "农产品质量安全快速检测服务", Dept(3), Some(8), 3, ""),
    (
        "engineering",
        "工业互联网平台在空压机远程运维中的应用",
        College,
        Some(4),
        2,
        "C34",
    ),
    ("platform", "食用菌产业研究院建设", County, Some(6), 4, "A01"),
    ("service", "高新技术企业认定辅导", Centre, None, 0, ""),
    ("talent", "农村实用人才带头人培训", Dept(3), Some(6), 4, ""),
    ("engineering", "含氟聚合物膜材料产业化", Ent, Some(2), 0, "C26"),
    ("research", "县域数字经济发展路径研究", College, Some(7), 3, ""),
    ("culture", "西安高腔非遗数字化保护", College, Some(10), 0, ""),
    ("engineering", "光伏组件自动化检测视觉系统", College, Some(3), 1, "C38"),
    ("service", "食用菌栽培技术指导", College, Some(6), 5, "A01"),
    ("platform", "智能制造公共服务平台", Dept(2), Some(4), CITY, ""),
    ("livelihood", "社区居家养老服务信息平台", County, Some(4), 1, ""),
    ("engineering", "高纯多晶硅还原炉节能改造", Ent, Some(0), 5, "C39"),
    ("talent", "企业博士后联合招收培养", Station, Some(0), 0, "C26"),
    ("service", "钢铁企业环境影响评价技术咨询", College, Some(5), 1, "C31"),
    ("research", "农村电商大数据分析与应用", College, Some(4), 4, ""),
    ("engineering", "胡柚精深加工与综合利用", Ent, Some(6), 4, "C13"),
    ("talent", "大学生实习实训基地建设", College, Some(1), 2, "C34"),
];

/// The progress schedule (推进进度表) per kind: five (milestone, deliverable) steps.
pub fn schedule(kind: &str) -> [(&'static str, &'static str); 5] {
    match kind {
        "research" => [
            ("方案论证", "研究方案与论证意见"),
            ("文献调研与实验设计", "实验设计书"),
            ("小试研究", "小试报告"),
            ("中期检查", "中期检查报告"),
            ("结题验收", "研究报告与验收意见"),
        ],
        "engineering" => [
            ("方案论证", "技术方案与论证意见"),
            ("小试", "小试报告"),
            ("中试", "中试报告与工艺参数"),
            ("工艺定型与试生产", "试生产记录"),
            ("验收", "验收意见书"),
        ],
        "talent" => [
            ("培训方案制定", "培训方案"),
            ("学员遴选", "学员名单"),
            ("集中授课", "课程表与签到表"),
            ("实践考察", "考察报告"),
            ("考核结业", "结业名单与总结"),
        ],
        "culture" => [
            ("调研方案", "调研方案"),
            ("田野调查", "调查资料汇编"),
            ("成果初稿", "成果初稿"),
            ("专家评审", "评审意见"),
            ("成果发布", "发布会纪要"),
        ],
        "livelihood" => [
            ("需求调研", "调研报告"),
            ("方案编制", "方案文本"),
            ("方案评审", "评审意见"),
            ("实施指导", "指导记录"),
            ("验收", "验收意见书"),
        ],
        "platform" => [
            ("共建协议签订", "共建协议"),
            ("场地与设备到位", "设备清单"),
            ("人员进驻", "进驻人员名单"),
            ("挂牌运行", "挂牌仪式纪要"),
            ("年度考核验收", "考核报告"),
        ],
        _ => [
            ("服务对象摸排", "走访名单"),
            ("需求对接", "需求清单"),
            ("上门服务", "服务记录"),
            ("服务报告", "服务报告"),
            ("总结评估", "评估意见"),
        ],
    }
}

/// Contract amount range per kind, in 万元.
pub fn amount_range(kind: &str) -> (u64, u64) {
    match kind {
        "research" => (20, 200),
        "engineering" => (30, 500),
        "platform" => (50, 500),
        "livelihood" => (10, 120),
        "talent" => (5, 60),
        "culture" => (5, 40),
        _ => (5, 50),
    }
}

pub const EVIDENCE: [&str; 5] = [
    "已报协调委员会办公室备案",
    "牵头单位确认，材料已归档",
    "经配合单位会签",
    "现场照片及签到表已存档",
    "会议纪要已上传",
];

pub const SURNAMES: [(&str, &str); 40] = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
    ("高", "gao"),
    ("罗", "luo"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("谢", "xie"),
    ("宋", "song"),
    ("唐", "tang"),
    ("邓", "deng"),
    ("韩", "han"),
    ("冯", "feng"),
    ("曹", "cao"),
    ("彭", "peng"),
    ("叶", "ye"),
    ("程", "cheng"),
    ("姜", "jiang"),
    ("范", "fan"),
    ("方", "fang"),
    ("毛", "mao"),
    ("祝", "zhu"),
    ("余", "yu"),
    ("汪", "wang"),
    ("潘", "pan"),
];

pub const GIVEN: [(&str, &str); 48] = [
    ("建", "jian"),
    ("明", "ming"),
    ("华", "hua"),
    ("国", "guo"),
    ("伟", "wei"),
    ("芳", "fang"),
    ("军", "jun"),
    ("丽", "li"),
    ("强", "qiang"),
    ("敏", "min"),
    ("静", "jing"),
    ("磊", "lei"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("斌", "bin"),
    ("超", "chao"),
    ("波", "bo"),
    ("辉", "hui"),
    ("刚", "gang"),
    ("平", "ping"),
    ("鹏", "peng"),
    ("晓", "xiao"),
    ("海", "hai"),
    ("燕", "yan"),
    ("红", "hong"),
    ("亮", "liang"),
    ("志", "zhi"),
    ("文", "wen"),
    ("宇", "yu"),
    ("浩", "hao"),
    ("峰", "feng"),
    ("俊", "jun"),
    ("婷", "ting"),
    ("琳", "lin"),
    ("颖", "ying"),
    ("雪", "xue"),
    ("慧", "hui"),
    ("玲", "ling"),
    ("东", "dong"),
    ("春", "chun"),
    ("新", "xin"),
    ("荣", "rong"),
    ("立", "li"),
    ("群", "qun"),
    ("彬", "bin"),
];

/// What monthly progress reports say.
pub const REPORT_LINES: &[&str] = &[
    "完成阶段性试验，关键指标达到预期",
    "中试线设备安装调试完毕，进入试运行",
    "双方召开技术对接会，确定下一步攻关方向",
    "完成样品制备和第三方检测，数据整理中",
    "组织专家赴企业现场指导，解决工艺问题两项",
    "完成培训课程两期，参训人员反馈良好",
    "项目组撰写阶段报告，申请发明专利一项",
    "完成调研和方案论证，形成初步设计",
];

/// What the units plan next.
pub const NEXT_STEPS: &[&str] = &[
    "下月完成工艺参数优化并开展小批量试产",
    "按推进进度表组织中期检查",
    "继续开展试验，整理数据形成报告",
    "推进成果在本地企业转化应用",
];

/// Problems units raise in their reports.
pub const PROBLEMS: &[&str] = &[
    "中试场地用地指标尚未落实，需市里协调",
    "企业配套资金到位滞后",
    "进口关键设备采购周期长，影响进度",
    "高校专家暑期外出，驻企时间不足",
];
