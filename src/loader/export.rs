//! `gongbao export` as the files finish: each file's articles are written once every earlier
//! file's are, so the output is the same as from a whole corpus while only the files in flight
//! are held (a load bounded by [`Config::ahead`](super::Config::ahead)).
//!
//! The JSON lists the sources after every article; their part is kept aside until then, in a
//! temporary file once it is large ([`Aside`]).

use std::io::{self, BufWriter, Seek as _, Write};

use super::{Failures, Loading, Outcome, Update, skipped_message};
use crate::convert::{ConvertError, Converter, Script};
use crate::corpus::export::{JsonPieces, article_in_script, article_text};

/// How many files an export lets the workers start past the first one not yet written
/// ([`Config::ahead`](super::Config::ahead)): enough that the workers do not stall while the
/// writing thread waits for a core (64 news pages are tens of milliseconds of work), few
/// enough that what waits for a long earlier file stays small whatever the size of the load.
pub const AHEAD: usize = 64;

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// [`crate::corpus::export::to_json`]'s document.
    Json,
    /// [`crate::corpus::export::to_text`]'s text.
    Text,
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Convert(ConvertError),
    #[error(transparent)]
    Write(#[from] io::Error),
}

impl From<serde_json::Error> for ExportError {
    fn from(e: serde_json::Error) -> Self {
        ExportError::Write(e.into())
    }
}

/// What an export did, also when it stopped early.
#[derive(Debug, Default)]
pub struct Report {
    /// Files whose articles were written.
    pub sources: usize,
    pub articles: usize,
    /// The inputs skipped, to be said after the warnings (as the commands that gather the whole
    /// corpus say them).
    pub failures: Failures,
}

/// Writes the articles `loading` delivers to `out` in `form`, their text in `script`, in list
/// order, each file's as soon as its turn comes.
///
/// Nothing is written until an article (or, for JSON, the end) is: a load in which every file
/// failed writes nothing. `say` is given the messages due at once, without `gongbao: `: the
/// files in folders passed over, then each loaded file's warnings as its articles go out.
///
/// # Errors
/// When `out` cannot be written, or a conversion engine for `script` cannot be built; `report`
/// then holds what was done until then.
pub fn export(
    loading: Loading,
    form: Form,
    script: Script,
    converter: &Converter,
    out: &mut impl Write,
    say: &mut impl FnMut(&str),
    report: &mut Report,
) -> Result<(), ExportError> {
    let mut json = JsonPieces::new(script);
    let mut sources = Aside::default();
    let mut started = false;
    let mut finished = false;
    let mut chunk = Vec::new();
    let mut text = String::new();
    for update in loading.in_order() {
        let outcome = match update {
            Update::Listed { problems, skipped, .. } => {
                report.failures.listing = problems;
                if skipped > 0 {
                    say(&skipped_message(skipped));
                }
                continue;
            }
            Update::Finished => {
                finished = true;
                continue;
            }
            Update::File { outcome, .. } => outcome,
        };
        let (source, mut articles, warnings) = match outcome {
            Outcome::Loaded(source, articles, warnings, _) => (source, articles, warnings),
            mut other => {
                report.failures.note(&mut other);
                continue;
            }
        };
        report.sources += 1;
        for w in &warnings {
            say(&format!("warning: {w}"));
        }
        for a in &mut articles {
            article_in_script(a, converter, script).map_err(ExportError::Convert)?;
        }
        chunk.clear();
        match form {
            Form::Json => {
                if !started && !articles.is_empty() {
                    chunk.extend_from_slice(json.head()?.as_bytes());
                    started = true;
                }
                for a in &articles {
                    json.article(a, &mut chunk)?;
                }
                let mut part = Vec::new();
                json.source(&source, &mut part)?;
                sources.push(&part)?;
            }
            Form::Text => {
                text.clear();
                for (i, a) in articles.iter().enumerate() {
                    article_text(a, report.articles + i == 0, &mut text);
                }
                chunk.extend_from_slice(text.as_bytes());
            }
        }
        report.articles += articles.len();
        out.write_all(&chunk)?;
    }
    if !finished {
        report.failures.ended_early();
    }
    if form == Form::Json && report.sources > 0 {
        if !started {
            out.write_all(json.head()?.as_bytes())?;
        }
        out.write_all(json.middle().as_bytes())?;
        sources.copy_to(out)?;
        out.write_all(json.tail().as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// Bytes to be written after the rest: in memory while they are few, then in an unnamed
/// temporary file, so that what an export holds does not grow with its size. Where no
/// temporary file can be made, they stay in memory.
#[derive(Debug, Default)]
struct Aside {
    memory: Vec<u8>,
    file: Option<BufWriter<std::fs::File>>,
    no_file: bool,
}

/// How much [`Aside`] holds in memory before it moves to a file.
const ASIDE_IN_MEMORY: usize = 4 << 20;

impl Aside {
    fn push(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Some(file) = &mut self.file {
            return file.write_all(bytes);
        }
        self.memory.extend_from_slice(bytes);
        if self.memory.len() > ASIDE_IN_MEMORY && !self.no_file {
            match tempfile::tempfile() {
                Ok(file) => {
                    let mut file = BufWriter::new(file);
                    file.write_all(&self.memory)?;
                    self.memory = Vec::new();
                    self.file = Some(file);
                }
                Err(_) => self.no_file = true,
            }
        }
        Ok(())
    }

    fn copy_to(self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(&self.memory)?;
        if let Some(file) = self.file {
            let mut file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
            file.rewind()?;
            io::copy(&mut file, out)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_kept_aside_come_back_whole_from_memory_or_from_the_file() {
        for size in [10, ASIDE_IN_MEMORY + 10] {
            let mut aside = Aside::default();
            let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            for piece in bytes.chunks(4096) {
                aside.push(piece).expect("kept");
            }
            assert_eq!(aside.file.is_some(), size > ASIDE_IN_MEMORY, "{size}");
            let mut back = Vec::new();
            aside.copy_to(&mut back).expect("copied");
            assert_eq!(back, bytes, "{size}");
        }
    }
}
