//! The house's rules, checked on the sources (see docs/architecture.md): the crates' arrows point
//! down the list only; no two files of a crate import each other in a circle; and the binary uses
//! the web crate for one thing only, serving.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The crates of ours each crate's `[dependencies]` names.
fn dependencies(krate: &str) -> BTreeSet<String> {
    let toml = std::fs::read_to_string(crates_dir().join(krate).join("Cargo.toml")).unwrap();
    let mut out = BTreeSet::new();
    let mut in_deps = false;
    for line in toml.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
        } else if in_deps && let Some(name) = line.strip_prefix("hezuo-") {
            out.insert(name.split(['.', ' ', '=']).next().unwrap().to_string());
        }
    }
    out
}

#[test]
fn each_crate_imports_only_the_crates_below_it() {
    let allowed: &[(&str, &[&str])] = &[
        ("domain", &[]),
        ("store", &["domain"]),
        ("search", &["domain"]),
        ("report", &["domain"]),
        ("app", &["domain", "store", "search", "report"]),
        ("web", &["domain", "store", "search", "report", "app"]),
        ("cli", &["domain", "store", "search", "report", "app", "web"]),
    ];
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(crates_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if crates_dir().join(&name).join("Cargo.toml").exists() {
            seen.insert(name);
        }
    }
    let listed: BTreeSet<String> = allowed.iter().map(|(c, _)| c.to_string()).collect();
    assert_eq!(
        seen, listed,
        "a crate was added or removed: place it in the list above and in docs/architecture.md"
    );
    for (krate, may) in allowed {
        let may: BTreeSet<String> = may.iter().map(|s| s.to_string()).collect();
        let extra: Vec<String> = dependencies(krate).difference(&may).cloned().collect();
        assert!(extra.is_empty(), "{krate} imports {extra:?}, which are not below it");
    }
}

/// Every `.rs` file of a crate's `src/`, by module path (`demands::workflow`; the root is "").
fn modules(krate: &str) -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).unwrap().with_extension("");
                let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
                if parts.last().is_some_and(|p| p == "mod") {
                    parts.pop();
                }
                if parts == ["lib"] || parts == ["main"] {
                    parts.clear();
                }
                out.insert(parts.join("::"), std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let root = crates_dir().join(krate).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out
}

/// The code of a file without its comments (doc links name modules without importing them).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| l.find("//").map_or(l, |i| &l[..i]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths a file refers to: `crate::a::b::…` (the longest prefix that is a module) and
/// `super::x` (a sibling).
fn references(module: &str, text: &str, all: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let mut resolve = |path: &str| {
        let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
        for k in (1..=parts.len()).rev() {
            let m = parts[..k].join("::");
            if all.contains_key(&m) {
                if m != module && !module.starts_with(&format!("{m}::")) {
                    out.insert(m);
                }
                break;
            }
        }
    };
    let text = code(text);
    for (prefix, base) in [
        ("crate::", String::new()),
        ("super::", {
            let mut p: Vec<&str> = module.split("::").collect();
            p.pop();
            p.join("::")
        }),
    ] {
        for (i, _) in text.match_indices(prefix) {
            if text[..i].chars().next_back().is_some_and(ident) {
                continue;
            }
            let rest: String = text[i + prefix.len()..].chars().take_while(|c| ident(*c)).collect();
            // `use crate::{a, b::c}`: each branch of the group.
            let group: String = text[i + prefix.len()..]
                .strip_prefix('{')
                .map(|g| g.chars().take_while(|c| *c != '}').collect())
                .unwrap_or_default();
            for r in std::iter::once(rest).chain(group.split(',').map(|b| b.trim().to_string())) {
                if r.is_empty() {
                    continue;
                }
                resolve(&if base.is_empty() { r } else { format!("{base}::{r}") });
            }
        }
    }
    out
}

/// The circles among a crate's files (strongly connected sets of more than one file), leaving out
/// the crate root, which declares every module.
fn circles(krate: &str) -> Vec<Vec<String>> {
    let all = modules(krate);
    let graph: BTreeMap<String, BTreeSet<String>> = all
        .iter()
        .filter(|(m, _)| !m.is_empty())
        .map(|(m, t)| (m.clone(), references(m, t, &all)))
        .collect();
    // Two files are in one circle when each reaches the other.
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(m) = todo.pop() {
            for n in graph.get(&m).into_iter().flatten() {
                if seen.insert(n.clone()) {
                    todo.push(n.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> = graph.keys().map(|m| (m, reach(m))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for m in graph.keys() {
        let circle: Vec<String> = graph
            .keys()
            .filter(|n| *n == m || (reaches[m].contains(*n) && reaches[*n].contains(m)))
            .cloned()
            .collect();
        if circle.len() > 1 && !out.contains(&circle) {
            out.push(circle);
        }
    }
    out
}

#[test]
fn no_two_files_of_a_crate_import_each_other_in_a_circle() {
    for krate in ["domain", "store", "search", "report", "app", "web", "cli"] {
        assert!(circles(krate).is_empty(), "{krate}: {:?}", circles(krate));
    }
}

#[test]
fn the_circle_check_sees_a_circle_when_there_is_one() {
    let all: BTreeMap<String, String> = [
        ("a".to_string(), "use crate::b::thing;".to_string()),
        ("b".to_string(), "fn f() { crate::a::other() }".to_string()),
        ("c::d".to_string(), "use super::{e, f};".to_string()),
        (
            "c::e".to_string(),
            "// crate::a::x in a comment is no import".to_string(),
        ),
    ]
    .into();
    assert_eq!(references("a", &all["a"], &all), ["b".to_string()].into());
    assert_eq!(references("b", &all["b"], &all), ["a".to_string()].into());
    assert_eq!(references("c::d", &all["c::d"], &all), ["c::e".to_string()].into());
    assert!(references("c::e", &all["c::e"], &all).is_empty());
}

#[test]
fn the_binary_uses_the_web_crate_only_to_serve() {
    for (module, text) in modules("cli") {
        for (i, _) in code(&text).match_indices("hezuo_web::") {
            let used: String = code(&text)[i + "hezuo_web::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            assert!(
                used == "app" || used == "AppState",
                "cli {module:?} uses hezuo_web::{used}: operations that are not HTTP belong in hezuo-app"
            );
        }
    }
}
