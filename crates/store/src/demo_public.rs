//! The demo's public portal: notices and news the office published (one with its file), and one
//! draft that the portal must not show. The consents (results' public prices, demands' public
//! names, experts on the public list) are set where those records are written.

use crate::{Result, Store, StoreError, Viewer};
use chrono::NaiveDate;
use hezuo_domain::RecordKind;
use hezuo_domain::notice::NoticeInput;
use std::sync::LazyLock;

static DEMO: LazyLock<Viewer> = LazyLock::new(|| Viewer::system("演示数据"));

/// (kind, title, body, published)
const NOTICES: [(&str, &str, &str, bool); 5] = [
    (
        "notice",
        "关于征集{year}年度企业技术需求的通知",
        "各县（市、区）科技局、各有关企业：\n为深化市校合作，现面向全市企业征集{year}年度技术需求（技术难题）。企业可在本平台“企业注册”后在线填报，也可联系所在县（市、区）科技局由技术转移中心上门走访征集。\n征集截止后，协调办将组织专家初筛、评审，并为通过评审的需求匹配专家和成果。\n附件：技术需求填报说明。",
        true,
    ),
    (
        "news",
        "市校合作工作会议召开，审议通过年度合作项目清单",
        "近日，市校合作工作会议召开。会议回顾了上一年度合作项目推进情况，审议通过了本年度合作项目清单，并为首席专家颁发聘书。会议要求各责任单位按照进度表扎实推进项目落实。",
        true,
    ),
    (
        "news",
        "浙江工业大学专家团赴江山市开展科技服务活动",
        "浙江工业大学化学工程学院、材料科学与工程学院专家一行走访江山市多家企业，围绕有机硅新材料、智能制造等领域开展技术诊断，现场解答企业技术难题二十余项。",
        true,
    ),
    (
        "notice",
        "关于公布首批科技成果转化项目的公告",
        "经企业申报、专家评审，现将首批科技成果转化项目予以公布。公示期五个工作日，如有异议请与市校合作协调办联系。",
        true,
    ),
    (
        "notice",
        "（草稿）关于召开年度考核会议的通知",
        "本通知尚在起草，未经发布不得对外公开。",
        false,
    ),
];

const GUIDE: &str = "技术需求填报说明\n一、填报内容：需求名称、需求概述（公开）、详细技术要求（保密，仅协调办与对接专家可见）。\n二、填报方式：企业在线填报或联系县（市、区）科技局。\n";

pub(crate) async fn load(store: &Store, today: NaiveDate) -> Result<()> {
    let year = chrono::Datelike::year(&today).to_string();
    for (n, (kind, title, body, published)) in NOTICES.iter().enumerate() {
        let input = NoticeInput {
            title: Some(title.replace("{year}", &year)),
            kind: Some(kind.to_string()),
            body: Some(body.replace("{year}", &year)),
            status: Some(if *published { "published" } else { "draft" }.to_string()),
        };
        let notice = store
            .create_notice(&DEMO, &input.validate().map_err(StoreError::Invalid)?)
            .await?;
        if n == 0 {
            store
                .add_attachment(
                    &DEMO,
                    RecordKind::Notice,
                    notice.id,
                    "技术需求填报说明.txt",
                    "text/plain",
                    GUIDE.as_bytes(),
                )
                .await?;
        }
    }
    Ok(())
}
