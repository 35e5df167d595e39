//! `gongbao export` as the files finish: each file's articles are written once every earlier
//! file's are, so the output is the same as from a whole corpus while only the files in flight
//! are held (a load bounded by [`Config::ahead`](super::Config::ahead)).
//!
//! The JSON lists the sources after every article; their part is kept aside until then, in a
//! temporary file once it is large ([`Aside`]).

use std::borrow::Cow;
use std::io::{self, BufWriter, Seek as _, Write};

use super::{Failures, Loading, Outcome, Update, skipped_message};
use crate::convert::{ConvertError, Converter, Script};
use crate::corpus::export::{JsonPieces, article_in_script, article_text};
use crate::corpus::{Article, Source};
use crate::output;

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
    /// `--explain`: every decision the segmenter took on each file, one JSON object a line
    /// ([`explain`]), read from the file's bytes on its loading thread.
    Explain,
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

/// How an export asks the loading threads to write each file ([`Config::render`](super::Config::render)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Render {
    pub form: Form,
    /// The script the articles' text is converted to.
    pub script: Script,
}

/// One file written out for an export, on its loading thread: the bytes are final, made safe
/// for a terminal as [`SafeWriter`](crate::output::SafeWriter) makes them, in the [`Form`] of the export.
#[derive(Debug)]
pub struct Rendered {
    /// Its articles, each after what separates it from the one before in this file: the first
    /// as if it were the first of the export (a `,` before it makes it a later one in JSON, a
    /// line break in text).
    pub articles: Vec<u8>,
    /// How many articles.
    pub count: usize,
    /// Its source, likewise (JSON only).
    pub source: Vec<u8>,
    /// Its warnings, each one line.
    pub warnings: Vec<String>,
}

thread_local! {
    /// Each loading thread's converter: its engines are built once per thread, on first use.
    static CONVERTER: Converter = Converter::new();
}

/// Writes one loaded file out as `how` asks (see [`Rendered`]).
///
/// # Errors
/// When a conversion engine for the script cannot be built.
pub fn render(
    source: &Source,
    mut articles: Vec<Article>,
    warnings: Vec<String>,
    how: Render,
) -> Result<Rendered, ExportError> {
    CONVERTER.with(|converter| {
        articles.iter_mut().try_for_each(|a| article_in_script(a, converter, how.script)).map_err(ExportError::Convert)
    })?;
    let (made, source) = match how.form {
        Form::Json => {
            let mut json = JsonPieces::new(how.script);
            let (mut made, mut part) = (String::new(), String::new());
            for a in &articles {
                json.article(a, &mut made)?;
            }
            json.source(source, &mut part)?;
            (safe(made, output::Form::Json), safe(part, output::Form::Json))
        }
        Form::Text => {
            let mut text = String::new();
            for (i, a) in articles.iter().enumerate() {
                article_text(a, i == 0, &mut text);
            }
            (safe(text, output::Form::Text), Vec::new())
        }
        // Decisions are taken from the file's bytes, not from its articles ([`explain`]).
        Form::Explain => (Vec::new(), Vec::new()),
    };
    Ok(Rendered { articles: made, count: articles.len(), source, warnings })
}

/// `gongbao export --explain` of one file: each decision the segmenter took, with the file's
/// name, one JSON object a line, made safe as the JSON form is.
///
/// # Errors
/// When the bytes are not text in any encoding.
pub fn explain(doc: &crate::corpus::load::RawDoc) -> Result<Rendered, crate::corpus::decode::DecodeError> {
    let decisions = crate::corpus::explain(doc)?;
    let name = crate::corpus::sanitize::display_name(&doc.name);
    let mut lines = String::new();
    for decision in &decisions {
        lines.push_str(&serde_json::json!({ "source": name, "decision": decision }).to_string());
        lines.push('\n');
    }
    Ok(Rendered {
        articles: safe(lines, output::Form::Json),
        count: decisions.len(),
        source: Vec::new(),
        warnings: Vec::new(),
    })
}

/// `text` as [`SafeWriter`](crate::output::SafeWriter) writes it (what it does to each write: [`output::safe`]; and made
/// safe piece by piece, the pieces of an export come out as the whole would: the JSON form
/// escapes character by character and the text form works line by line, and every piece of
/// text is whole lines). Not copied when nothing needs changing.
fn safe(text: String, form: output::Form) -> Vec<u8> {
    match output::safe(&text, form) {
        Cow::Borrowed(_) => text.into_bytes(),
        Cow::Owned(changed) => changed.into_bytes(),
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

/// Writes the articles `loading` delivers (a load with [`Config::render`](super::Config::render)
/// set to `how`) to `out`, in list order, each file's as soon as its turn comes. The bytes are
/// already made safe for a terminal (on the loading threads), so `out` is the plain output.
///
/// Nothing is written until an article (or, for JSON, the end) is: a load in which every file
/// failed writes nothing. `say` is given the messages due at once, without `gongbao: `: the
/// files in folders passed over, then each loaded file's warnings as its articles go out.
///
/// # Errors
/// When `out` cannot be written, or a conversion engine for the script cannot be built;
/// `report` then holds what was done until then.
pub fn export(
    loading: Loading,
    how: Render,
    out: &mut impl Write,
    say: &mut impl FnMut(&str),
    report: &mut Report,
) -> Result<(), ExportError> {
    let mut json = JsonPieces::new(how.script);
    let mut sources = Aside::default();
    let mut finished = false;
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
        let file = match outcome {
            Outcome::Rendered(file) => *file,
            // Not written out on its thread (a load without `render`): written out here.
            Outcome::Loaded(source, articles, warnings, _) => render(&source, articles, warnings, how),
            mut other => {
                report.failures.note(&mut other);
                continue;
            }
        }?;
        for w in &file.warnings {
            say(&format!("warning: {w}"));
        }
        if file.count > 0 {
            match (how.form, report.articles) {
                (Form::Json, 0) => out.write_all(json.head()?.as_bytes())?,
                (Form::Json, _) => out.write_all(b",")?,
                (Form::Text, 0) | (Form::Explain, _) => {}
                (Form::Text, _) => out.write_all(b"\n")?,
            }
            out.write_all(&file.articles)?;
        }
        if how.form == Form::Json {
            if report.sources > 0 {
                sources.push(b",")?;
            }
            sources.push(&file.source)?;
        }
        report.sources += 1;
        report.articles += file.count;
    }
    if !finished {
        report.failures.ended_early();
    }
    if how.form == Form::Json && report.sources > 0 {
        if report.articles == 0 {
            out.write_all(json.head()?.as_bytes())?;
        }
        json.count(report.articles, report.sources);
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
    use crate::corpus::export::{in_script, to_json, to_text};
    use crate::corpus::{Corpus, ReadOptions, load, process};

    /// The samples exported file by file, given in reverse, some written out on "their thread"
    /// and some here, with a failure among them: the whole corpus's export, byte for byte.
    #[test]
    fn an_export_file_by_file_is_the_export_of_the_whole_corpus() {
        let docs = load::bundled();
        let (corpus, _) = Corpus::from_docs(&docs, None);
        for form in [Form::Json, Form::Text] {
            for script in [Script::Original, Script::Traditional] {
                let how = Render { form, script };
                let (tx, rx) = std::sync::mpsc::channel();
                let files = docs.len() + 1;
                tx.send(Update::Listed { files, problems: Vec::new(), skipped: 0 }).expect("send");
                for (i, doc) in docs.iter().enumerate().rev() {
                    let (source, articles) = process(doc, None, i, ReadOptions::default()).expect("text");
                    let outcome = if i % 2 == 0 {
                        Outcome::Rendered(Box::new(render(&source, articles, Vec::new(), how)))
                    } else {
                        Outcome::Loaded(Box::new(source), articles, Vec::new(), None)
                    };
                    // A failed file between the third and the fourth.
                    let position = if i >= 3 { i + 1 } else { i };
                    tx.send(Update::File { position, bytes: 1, outcome }).expect("send");
                }
                tx.send(Update::File { position: 3, bytes: 0, outcome: Outcome::Failed("'x': no".into()) })
                    .expect("send");
                tx.send(Update::Finished).expect("send");
                let (mut out, mut report) = (Vec::new(), Report::default());
                export(Loading::from_channel(rx), how, &mut out, &mut |_| {}, &mut report).expect("exported");
                let shown = in_script(&corpus, &Converter::new(), script).expect("converted");
                let whole = match form {
                    Form::Json => to_json(&shown, script).expect("serialises") + "\n",
                    Form::Text => to_text(&shown),
                    Form::Explain => unreachable!("not among the forms tried"),
                };
                assert!(out == whole.as_bytes(), "{form:?} in {script:?} differs from the whole export");
                assert_eq!((report.sources, report.articles), (docs.len(), corpus.articles.len()));
                assert_eq!(report.failures.lines().collect::<Vec<_>>(), ["'x': no"]);
            }
        }
    }

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
