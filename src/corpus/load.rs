//! STUB (replaced by helper)
use std::path::PathBuf;
pub struct RawDoc { pub name: String, pub path: Option<PathBuf>, pub bytes: Vec<u8> }
pub enum Input { Path(PathBuf), Stdin }
impl Input { pub fn from_arg(arg: &std::ffi::OsStr) -> Input { if arg == "-" { Input::Stdin } else { Input::Path(PathBuf::from(arg)) } } }
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;
#[derive(Debug, thiserror::Error)]
pub enum LoadError { #[error("'{path}': {source}")] Io { path: String, source: std::io::Error } }
pub struct Loaded { pub docs: Vec<RawDoc>, pub failures: Vec<LoadError>, pub skipped: usize }
pub fn load(inputs: &[Input], _max: u64) -> Loaded {
    let mut docs = vec![]; let mut failures = vec![];
    for i in inputs { if let Input::Path(p) = i { match std::fs::read(p) { Ok(b) => docs.push(RawDoc { name: p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), path: Some(p.clone()), bytes: b }), Err(e) => failures.push(LoadError::Io { path: p.display().to_string(), source: e }) } } }
    Loaded { docs, failures, skipped: 0 }
}
pub fn bundled() -> Vec<RawDoc> { vec![] }
