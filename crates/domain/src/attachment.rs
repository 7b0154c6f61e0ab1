//! Attachments (附件): which file types are accepted, told from the bytes, never from the name.

use crate::{Msg, RecordKind};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: i64,
    pub record_kind: RecordKind,
    pub record_id: i64,
    /// The name the uploader gave; shown, never used as a path.
    pub filename: String,
    /// The type sniffed from the content.
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the content; the file is stored under this name.
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// Accepted types: (MIME type, the file-name extensions that may carry it).
const ACCEPTED: &[(&str, &[&str])] = &[
    ("application/pdf", &["pdf"]),
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/gif", &["gif"]),
    ("image/webp", &["webp"]),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        &["pptx"],
    ),
    ("application/msword", &["doc"]),
    ("application/vnd.ms-excel", &["xls"]),
    ("application/x-ole-storage", &["doc", "xls", "ppt"]),
    ("application/zip", &["zip"]),
    ("application/vnd.oasis.opendocument.text", &["odt"]),
    ("application/vnd.oasis.opendocument.spreadsheet", &["ods"]),
    ("text/plain; charset=utf-8", &["txt", "csv", "md"]),
];

/// The content type of `bytes`: from its magic number, or UTF-8 text without NULs.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if let Some(t) = infer::get(bytes) {
        return ACCEPTED
            .iter()
            .map(|(m, _)| *m)
            .find(|m| *m == t.mime_type())
            .or(Some(t.mime_type()));
    }
    if !bytes.is_empty() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        return Some("text/plain; charset=utf-8");
    }
    None
}

fn extension(filename: &str) -> Option<String> {
    let (_, ext) = filename.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

/// Decides whether an upload is accepted: its sniffed type must be one we take, and the name's
/// extension must agree with it. Returns the content type to store.
pub fn check_upload(filename: &str, bytes: &[u8], max_bytes: usize) -> Result<&'static str, Msg> {
    if bytes.is_empty() {
        return Err(Msg::new("文件为空", "The file is empty"));
    }
    if bytes.len() > max_bytes {
        return Err(Msg::new(
            format!("文件大小 {:.1} MB 超过上限 {:.1} MB", mb(bytes.len()), mb(max_bytes)),
            format!(
                "The file is {:.1} MB, over the {:.1} MB limit",
                mb(bytes.len()),
                mb(max_bytes)
            ),
        ));
    }
    let sniffed = sniff(bytes);
    let Some((mime, exts)) = sniffed.and_then(|s| ACCEPTED.iter().find(|(m, _)| *m == s)) else {
        return Err(Msg::new(
            format!(
                "不支持的文件类型（{}），可上传 PDF、图片、Word、Excel、PowerPoint、压缩包或文本文件",
                sniffed.unwrap_or("未知")
            ),
            format!(
                "Unsupported file type ({}); upload PDF, images, Word, Excel, PowerPoint, zip or text",
                sniffed.unwrap_or("unknown")
            ),
        ));
    };
    if let Some(ext) = extension(filename)
        && !exts.contains(&ext.as_str())
    {
        return Err(Msg::new(
            format!("文件名后缀为 .{ext}，但内容实际是 {}，请检查文件", exts.join("/")),
            format!(
                "The name says .{ext} but the content is {}; check the file",
                exts.join("/")
            ),
        ));
    }
    Ok(mime)
}

fn mb(n: usize) -> f64 {
    n as f64 / (1024.0 * 1024.0)
}

/// A file name safe to show and to put in a Content-Disposition header: no path, no control characters.
pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "附件".to_string()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

    #[test]
    fn a_png_named_png_is_accepted() {
        assert_eq!(check_upload("现场照片.PNG", PNG, 1000).unwrap(), "image/png");
    }

    #[test]
    fn a_png_named_pdf_is_refused_as_mislabelled() {
        let e = check_upload("合同.pdf", PNG, 1000).unwrap_err();
        assert!(e.zh.contains(".pdf"), "{}", e.zh);
    }

    #[test]
    fn an_executable_is_refused_whatever_its_name() {
        let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0\x01\0\0\0";
        assert!(
            check_upload("minutes.txt", elf, 1000)
                .unwrap_err()
                .en
                .contains("Unsupported")
        );
    }

    #[test]
    fn an_oversized_file_is_refused() {
        assert!(
            check_upload("a.txt", &[b'a'; 2000], 1000)
                .unwrap_err()
                .zh
                .contains("超过上限")
        );
    }

    #[test]
    fn path_parts_are_stripped_from_names() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\docs\\会议纪要.docx"), "会议纪要.docx");
        assert_eq!(clean_filename("..."), "附件");
    }
}
