//! The user's language: Simplified Chinese by default; English when `?lang=en` is given (remembered
//! in a cookie) or the browser prefers English. [`Tr`] holds the interface's shared words.

use axum::extract::{FromRequestParts, Request};
use axum::http::{HeaderValue, header, request::Parts};
use axum::middleware::Next;
use axum::response::Response;
use hezuo_domain::Msg;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn en(self) -> bool {
        self == Lang::En
    }
    pub fn t(self) -> &'static Tr {
        if self.en() { &EN } else { &ZH }
    }
    pub fn code(self) -> &'static str {
        if self.en() { "en" } else { "zh-CN" }
    }
    pub fn pick(self, m: &Msg) -> &str {
        m.get(self.en())
    }
    /// Picks from a literal pair.
    pub fn tr(self, zh: &'static str, en: &'static str) -> &'static str {
        if self.en() { en } else { zh }
    }
    /// Picks from a pair, owned.
    pub fn tr_owned(self, pair: (&str, &str)) -> String {
        if self.en() { pair.1 } else { pair.0 }.to_string()
    }

    fn from_query(q: &str) -> Option<Lang> {
        q.split('&').find_map(|kv| match kv {
            "lang=en" => Some(Lang::En),
            "lang=zh" | "lang=zh-CN" | "lang=zh-cn" => Some(Lang::Zh),
            _ => None,
        })
    }

    pub fn from_parts(parts: &Parts) -> Lang {
        if let Some(l) = parts.uri.query().and_then(Lang::from_query) {
            return l;
        }
        let cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| {
                c.split(';').map(str::trim).find_map(|kv| match kv {
                    "lang=en" => Some(Lang::En),
                    "lang=zh" => Some(Lang::Zh),
                    _ => None,
                })
            });
        if let Some(l) = cookie {
            return l;
        }
        // Accept-Language: the first language we speak wins, in the browser's order of preference.
        let accept = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mut prefs: Vec<(f32, usize, Lang)> = accept
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut it = part.trim().split(';');
                let tag = it.next()?.trim().to_ascii_lowercase();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q=")?.parse::<f32>().ok())
                    .unwrap_or(1.0);
                let lang = if tag.starts_with("en") {
                    Lang::En
                } else if tag.starts_with("zh") {
                    Lang::Zh
                } else {
                    return None;
                };
                Some((q, i, lang))
            })
            .collect();
        prefs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        prefs.first().map(|p| p.2).unwrap_or(Lang::Zh)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::from_parts(parts))
    }
}

/// Remembers an explicit `?lang=` choice in a cookie so the next pages keep it.
pub async fn remember_lang(req: Request, next: Next) -> Response {
    let chosen = req.uri().query().and_then(Lang::from_query);
    let mut res = next.run(req).await;
    if let Some(l) = chosen {
        let v = format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
            if l.en() { "en" } else { "zh" }
        );
        if let Ok(v) = HeaderValue::from_str(&v) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// Words shared by every page and error.
pub struct Tr {
    pub app_name: &'static str,
    pub app_tagline: &'static str,
    pub nav_home: &'static str,
    pub nav_projects: &'static str,
    pub nav_organizations: &'static str,
    pub nav_people: &'static str,
    pub nav_agreements: &'static str,
    pub nav_api: &'static str,
    pub other_lang: &'static str,
    pub other_lang_code: &'static str,
    pub new: &'static str,
    /// The link that downloads a list, filtered as shown, as an .xlsx file.
    pub export_xlsx: &'static str,
    pub edit: &'static str,
    pub save: &'static str,
    pub cancel: &'static str,
    pub archive: &'static str,
    pub restore: &'static str,
    pub archived: &'static str,
    pub archived_note: &'static str,
    pub filter: &'static str,
    pub reset: &'static str,
    pub any: &'static str,
    pub none: &'static str,
    pub prev: &'static str,
    pub next: &'static str,
    pub empty_list: &'static str,
    pub empty_related: &'static str,
    pub not_found: &'static str,
    pub invalid_input: &'static str,
    pub conflict: &'static str,
    pub internal_error: &'static str,
    pub form_has_errors: &'static str,
    pub required: &'static str,
    pub attachments: &'static str,
    pub upload: &'static str,
    pub upload_hint: &'static str,
    pub download: &'static str,
    pub file_name: &'static str,
    pub file_type: &'static str,
    pub file_size: &'static str,
    pub uploaded_at: &'static str,
    pub remove: &'static str,
    pub back_home: &'static str,
    pub error_title: &'static str,
    pub details: &'static str,
    pub updated_at: &'static str,
    pub created_at: &'static str,
    pub sort: &'static str,
    pub total_prefix: &'static str,
    pub total_suffix: &'static str,
    /// A long list's total: an estimate ("about N"), or "more than N" until one is made.
    pub total_about: &'static str,
    pub total_more_than: &'static str,
    pub page_prefix: &'static str,
    pub page_suffix: &'static str,
    pub change_status: &'static str,
    pub no_transitions: &'static str,
    pub wan: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
}

pub static ZH: Tr = Tr {
    app_name: "合作",
    app_tagline: "市校全面合作管理平台",
    nav_home: "首页",
    nav_projects: "合作项目",
    nav_organizations: "单位",
    nav_people: "人员与专家",
    nav_agreements: "合作协议",
    nav_api: "接口文档",
    other_lang: "English",
    other_lang_code: "en",
    new: "新建",
    export_xlsx: "导出 Excel",
    edit: "编辑",
    save: "保存",
    cancel: "取消",
    archive: "归档",
    restore: "恢复",
    archived: "已归档",
    archived_note: "该记录已归档，不再出现在列表中。",
    filter: "筛选",
    reset: "重置",
    any: "全部",
    none: "（无）",
    prev: "上一页",
    next: "下一页",
    empty_list: "没有符合条件的记录。",
    empty_related: "暂无。",
    not_found: "未找到该记录",
    invalid_input: "输入有误，请检查标出的字段",
    conflict: "与已有记录冲突",
    internal_error: "服务器内部错误，请稍后再试",
    form_has_errors: "表单中有错误，请修改标红的字段后再提交。",
    required: "必填",
    attachments: "附件",
    upload: "上传附件",
    upload_hint: "可上传 PDF、图片、Word、Excel、PowerPoint、压缩包或文本文件，类型按文件内容识别。",
    download: "下载",
    file_name: "文件名",
    file_type: "类型",
    file_size: "大小",
    uploaded_at: "上传时间",
    remove: "移除",
    back_home: "返回首页",
    error_title: "出错了",
    details: "详情",
    updated_at: "更新时间",
    created_at: "创建时间",
    sort: "排序",
    total_prefix: "共 ",
    total_suffix: " 条",
    total_about: "约 {n} 条（十分钟内统计）",
    total_more_than: "{n} 条以上",
    page_prefix: "第 ",
    page_suffix: " 页",
    change_status: "变更状态",
    no_transitions: "当前状态为终态，不能再变更。",
    wan: "万元",
    yes: "是",
    no: "否",
};

pub static EN: Tr = Tr {
    app_name: "Hezuo",
    app_tagline: "City–university cooperation platform",
    nav_home: "Home",
    nav_projects: "Projects",
    nav_organizations: "Organisations",
    nav_people: "People & experts",
    nav_agreements: "Agreements",
    nav_api: "API",
    other_lang: "中文",
    other_lang_code: "zh",
    new: "New",
    export_xlsx: "Export to Excel",
    edit: "Edit",
    save: "Save",
    cancel: "Cancel",
    archive: "Archive",
    restore: "Restore",
    archived: "Archived",
    archived_note: "This record is archived and no longer appears in lists.",
    filter: "Filter",
    reset: "Reset",
    any: "All",
    none: "(none)",
    prev: "Previous",
    next: "Next",
    empty_list: "Nothing matches.",
    empty_related: "None yet.",
    not_found: "Not found",
    invalid_input: "Some input is invalid; see the fields marked",
    conflict: "Conflicts with an existing record",
    internal_error: "Internal server error; please try again later",
    form_has_errors: "The form has errors; correct the fields marked in red and submit again.",
    required: "required",
    attachments: "Attachments",
    upload: "Upload a file",
    upload_hint: "PDF, images, Word, Excel, PowerPoint, zip or text; the type is read from the content.",
    download: "Download",
    file_name: "File",
    file_type: "Type",
    file_size: "Size",
    uploaded_at: "Uploaded",
    remove: "Remove",
    back_home: "Back to the home page",
    error_title: "Something went wrong",
    details: "Details",
    updated_at: "Updated",
    created_at: "Created",
    sort: "Sort",
    total_prefix: "",
    total_suffix: " in all",
    total_about: "about {n} in all (counted in the last ten minutes)",
    total_more_than: "more than {n}",
    page_prefix: "Page ",
    page_suffix: "",
    change_status: "Change status",
    no_transitions: "This status is final.",
    wan: "×10k CNY",
    yes: "Yes",
    no: "No",
};

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn lang(accept: &str, uri: &str) -> Lang {
        let req = Request::builder()
            .uri(uri)
            .header(header::ACCEPT_LANGUAGE, accept)
            .body(())
            .unwrap();
        Lang::from_parts(&req.into_parts().0)
    }

    #[test]
    fn chinese_is_the_default_and_english_is_chosen_when_preferred() {
        assert_eq!(lang("", "/"), Lang::Zh);
        assert_eq!(lang("en-US,en;q=0.9", "/"), Lang::En);
        assert_eq!(lang("zh-CN,zh;q=0.9,en;q=0.8", "/"), Lang::Zh);
        assert_eq!(lang("fr, en;q=0.5, zh;q=0.4", "/"), Lang::En);
        assert_eq!(lang("en", "/?lang=zh"), Lang::Zh);
        assert_eq!(lang("zh", "/projects?page=2&lang=en"), Lang::En);
    }
}
