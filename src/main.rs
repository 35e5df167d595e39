//! The thin binary: parse the command line, load the corpus, run the command,
//! map errors to an exit code (0 ok, 1 some inputs skipped, 2 nothing usable).
// Command-line output for scripts goes to stdout here; the screen is drawn only by ratatui
// through term.rs. Every byte printed here passes through `gongbao::output::SafeWriter`:
// names and notes can hold escape sequences.
#![allow(clippy::disallowed_methods)]

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use gongbao::app::{App, Settings, positions};
use gongbao::cli::{Ambiguous, BookmarkFormat, BookmarksAction, Cli, Command, Format, WordsAction, WordsFormat};
use gongbao::corpus::{Corpus, ReadOptions, decode, load};
use gongbao::loader;
use gongbao::loader::export::Form as Written;
use gongbao::output::{Form, SafeWriter};
use gongbao::search;
use gongbao::wrap::AmbiguousWidth;

/// A message on stderr, `gongbao: ` first, made safe for the terminal like all output.
macro_rules! say {
    ($($arg:tt)*) => {
        say(format_args!($($arg)*))
    };
}

fn say(message: std::fmt::Arguments<'_>) {
    let mut err = SafeWriter::text(std::io::stderr().lock());
    let _ = writeln!(err, "gongbao: {message}");
}

/// Standard output for `form`, made safe for the terminal it may be.
fn stdout(form: Form) -> SafeWriter<std::io::StdoutLock<'static>> {
    SafeWriter::new(std::io::stdout().lock(), form)
}

/// Whether standard input is one of the inputs (`-`): then the keys come from the terminal.
fn stdin_is_data(cli: &Cli) -> bool {
    cli.input.paths.iter().any(|p| p == "-")
}

/// The reader needs a terminal; without one, say so before anything is loaded.
fn require_terminal(cli: &Cli) -> Result<()> {
    if !gongbao::term::is_terminal(stdin_is_data(cli)) {
        bail!("not a terminal: the reader needs one; use `gongbao export` to print the articles");
    }
    Ok(())
}

/// What the reader keeps between runs, read before any file is loaded: loading needs the
/// encodings chosen for files, and whether they are still kept under old fingerprints
/// ([`positions::Saved::load_config`]).
struct ReaderState {
    data_dir: Option<std::path::PathBuf>,
    file: positions::Store,
    saved: positions::Saved,
    messages: Vec<String>,
}

impl ReaderState {
    fn read(cli: &Cli) -> ReaderState {
        let data_dir = positions::data_dir(cli.input.data_dir.as_deref());
        let (file, saved, messages) = data_dir.as_deref().map_or_else(
            || (positions::Store::in_memory(), positions::Saved::default(), Vec::new()),
            positions::Store::open,
        );
        ReaderState { data_dir, file, saved, messages }
    }
}

/// Opens the reader on `corpus`.
///
/// Returns the exit status: 128+n when signal n ended the reader; 1 when inputs loading in the
/// background were skipped or bookmark changes could not be saved; else 0.
fn read(
    cli: &Cli,
    corpus: Corpus,
    loading: Option<gongbao::loader::Loading>,
    state: Option<ReaderState>,
) -> Result<u8> {
    require_terminal(cli)?;
    let ReaderState { data_dir, file, saved, messages: state_messages } =
        state.unwrap_or_else(|| ReaderState::read(cli));
    for m in &state_messages {
        say!("warning: {m}");
    }
    let settings = Settings {
        ambiguous: match cli.input.ambiguous_width {
            Ambiguous::Narrow => AmbiguousWidth::Narrow,
            Ambiguous::Wide => AmbiguousWidth::Wide,
        },
        script: cli.input.script,
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        ..Settings::default()
    };
    let (store, messages) = gongbao::bookmarks::store::Store::open(data_dir.as_deref());
    for m in &messages {
        say!("warning: {m}");
    }
    let mut app = App::new(corpus, settings, saved.positions, (80, 24));
    app.encodings = saved.encodings;
    app.copy_command.clone_from(&cli.input.copy_command);
    app.max_bytes = cli.input.max_size.saturating_mul(1024 * 1024);
    app.positions_file = file;
    app.set_bookmarks(store);
    let (words, word_messages) = gongbao::words::WordList::open(data_dir.as_deref());
    for m in &word_messages {
        say!("warning: {m}");
    }
    app.words = words;
    // The files were read in the encodings chosen for them; choices kept under an old
    // fingerprint move to the new one.
    app.adopt_legacy_encodings();
    if let Some(loading) = loading {
        app.start_loading(loading);
    }
    // After loading started: a session's article still to come is waited for.
    app.sessions = saved.sessions;
    app.resume(positions::session_key(&cli.input.paths), cli.input.script_given);
    if let Some(message) = messages.last().or(state_messages.last()) {
        app.status = Some(message.clone());
    }
    let signal = gongbao::term::run(&mut app).context("running the terminal reader")?;
    // What went wrong with inputs was listed in the reader (M); said again here, where it stays.
    for m in &app.messages {
        say!("{m}");
    }
    // The last try: what fails now is not kept anywhere, and the message says so.
    let unsaved = app.bookmarks.store.unsaved();
    let bookmarks_lost = match app.bookmarks.store.save() {
        Ok(()) => false,
        Err(e) => {
            match app.bookmarks.store.keep_unsaved() {
                Ok(Some(kept)) => say!(
                    "{unsaved} bookmark change(s) could not be saved ({e}); the bookmarks added or changed are \
                     kept in '{}': copy them into bookmarks.json from there",
                    kept.display()
                ),
                Ok(None) => say!("{unsaved} bookmark change(s) could not be saved and are lost: {e}"),
                Err(keeping) => say!(
                    "{unsaved} bookmark change(s) could not be saved and are lost: {e} (keeping them aside \
                     failed too: {keeping})"
                ),
            }
            true
        }
    };
    // Also after a signal, which ends the reader without a `q`.
    app.remember_session();
    if let Err(e) = app.save_reading_state() {
        say!("warning: {e}");
    }
    // Like a shell reports a process a signal killed; positions are saved first.
    if let Some(status) = signal.and_then(|n| u8::try_from(128 + n).ok()) {
        return Ok(status);
    }
    Ok(u8::from(app.inputs_skipped > 0 || bookmarks_lost))
}

/// `gongbao bookmarks list|export`: from the data folder alone.
fn bookmarks(cli: &Cli, action: &BookmarksAction) -> Result<ExitCode> {
    use gongbao::bookmarks::{export as bm, store::Store};
    let dir = positions::data_dir(cli.input.data_dir.as_deref());
    let (store, messages) = Store::open(dir.as_deref());
    for m in &messages {
        say!("warning: {m}");
    }
    let converter = gongbao::convert::Converter::new();
    let script = cli.input.script;
    let list = store.bookmarks();
    let json = matches!(action, BookmarksAction::Export { format: BookmarkFormat::Json });
    let mut out = stdout(if json { Form::Json } else { Form::Text });
    match action {
        BookmarksAction::List => write!(out, "{}", bm::to_list(list, &converter, script))?,
        BookmarksAction::Export { format: BookmarkFormat::Md } => {
            write!(out, "{}", bm::to_markdown(list, &converter, script))?;
        }
        BookmarksAction::Export { format: BookmarkFormat::Json } => {
            writeln!(out, "{}", bm::to_json(list, &converter, script)?)?;
        }
    }
    if list.is_empty() {
        say!("no bookmarks in '{}'", dir.map_or_else(|| "(no data folder)".into(), |d| d.display().to_string()));
    }
    Ok(ExitCode::SUCCESS)
}

/// `gongbao words list|export`: the word list, from the data folder alone.
fn words(cli: &Cli, action: &WordsAction) -> Result<ExitCode> {
    let dir = positions::data_dir(cli.input.data_dir.as_deref());
    let (list, messages) = gongbao::words::WordList::open(dir.as_deref());
    for m in &messages {
        say!("warning: {m}");
    }
    let tsv = matches!(action, WordsAction::Export { format: WordsFormat::Tsv });
    let mut out = stdout(if tsv { Form::Tsv } else { Form::Text });
    match action {
        WordsAction::List => {
            for w in list.words() {
                writeln!(out, "{}  [{}]  {}", w.word, w.pinyin, w.sentence.replace('\n', " "))?;
            }
        }
        WordsAction::Export { format: WordsFormat::Tsv } => write!(out, "{}", gongbao::words::to_tsv(list.words()))?,
        WordsAction::Export { format: WordsFormat::Md } => {
            write!(out, "{}", gongbao::words::to_markdown(list.words()))?;
        }
    }
    if list.words().is_empty() {
        say!("no words in '{}'", dir.map_or_else(|| "(no data folder)".into(), |d| d.display().to_string()));
    }
    Ok(ExitCode::SUCCESS)
}

/// `gongbao lookup TEXT`: a word's entries, or a sentence word by word; zhuyin too when
/// `--script` is a Taiwan one.
fn lookup(cli: &Cli, text: &str, json: bool) -> Result<ExitCode> {
    use gongbao::convert::Script;
    use gongbao::dict::lookup;
    let dictionary = gongbao::dict::embedded()?;
    let words = lookup::words(dictionary, text);
    if words.is_empty() {
        bail!("no words to look up in '{text}'");
    }
    if json {
        writeln!(stdout(Form::Json), "{}", lookup::to_json(&words)?)?;
    } else {
        let zhuyin = matches!(cli.input.script, Script::Taiwan | Script::TaiwanPhrases);
        write!(stdout(Form::Text), "{}", lookup::to_text(&words, zhuyin))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `gongbao export`: the articles as JSON or text, in the script `--script` asks for, or with
/// `--explain` the segmenter's decisions; written as the files finish (in list order), so
/// neither the time to the first article nor the memory grows with the size of the load.
fn export_command(cli: &Cli, inputs: Vec<load::Input>, config: loader::Config, form: Written) -> Result<ExitCode> {
    use gongbao::loader::export::{AHEAD, ExportError, Render, Report, export};
    let how = Render { form, script: cli.input.script };
    let config = loader::Config { search_index: false, ahead: Some(AHEAD), render: Some(how), ..config };
    let mut report = Report::default();
    // The loading threads made the bytes safe with `SafeWriter` (the policy above) as they
    // wrote each file out; made safe again here, they would cost this thread as much again.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let result =
        export(loader::start_with(inputs, config), how, &mut out, &mut |message| say!("{message}"), &mut report);
    drop(out);
    // After the warnings, as the commands that gather the whole corpus first say them.
    for f in report.failures.lines() {
        say!("{f}");
    }
    match result {
        Ok(()) => {}
        Err(ExportError::Convert(e)) => return Err(anyhow::Error::new(e).context("converting the text for --script")),
        Err(ExportError::Write(e)) => return Err(e.into()),
    }
    if report.sources == 0 {
        bail!("nothing to read: no input could be loaded");
    }
    Ok(if report.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `gongbao search`: every match, as text or JSON.
fn search_command(
    cli: &Cli,
    corpus: &Corpus,
    query: &str,
    json: bool,
    exact: bool,
    out: &mut impl Write,
) -> Result<()> {
    let index = search::SearchIndex::build(corpus, search::folder());
    let mut matches = Vec::new();
    index.search(corpus, &search::Query::new(query, exact), search::folder(), |m| {
        matches.push(m);
        true
    });
    let converter = gongbao::convert::Converter::new();
    if json {
        writeln!(out, "{}", search::to_json(corpus, &matches, &converter, cli.input.script)?)?;
    } else {
        write!(out, "{}", search::to_text(corpus, &matches, &converter, cli.input.script))?;
        let articles = matches.windows(2).filter(|w| w[0].article != w[1].article).count() + 1;
        say!(
            "{} match{} in {} article{}",
            matches.len(),
            if matches.len() == 1 { "" } else { "es" },
            if matches.is_empty() { 0 } else { articles },
            if articles == 1 && !matches.is_empty() { "" } else { "s" },
        );
    }
    Ok(())
}

/// `gongbao diff A B`: two versions compared clause by clause.
fn diff_command(corpus: &Corpus, a: &str, b: &str, json: bool, out: &mut impl Write) -> Result<()> {
    let find =
        |id: &str| {
            corpus.articles.iter().position(|x| x.id == id).with_context(|| {
                format!("no article '{id}' in these files; `gongbao export --format text` lists the ids")
            })
        };
    let (ia, ib) = (find(a)?, find(b)?);
    let c = gongbao::versions::compare(corpus, ia, ib, search::folder()).context("comparing")?;
    if json {
        writeln!(out, "{}", gongbao::versions::to_json(corpus, &c)?)?;
    } else {
        write!(out, "{}", gongbao::versions::to_text(corpus, &c))?;
    }
    Ok(())
}

/// `gongbao quote ARTICLE CLAUSE`: the clause and its citation, as `y` copies it.
fn quote_command(cli: &Cli, corpus: &Corpus, article: &str, clause: &str, out: &mut impl Write) -> Result<()> {
    use gongbao::quote;
    let a = corpus.articles.iter().find(|a| a.id == article).with_context(|| {
        format!("no article '{article}' in these files; `gongbao export --format text` lists the ids")
    })?;
    let found = quote::find_clause(a, clause)
        .and_then(|i| quote::clause_paragraphs(a, i))
        .with_context(|| format!("no clause '{clause}' in article '{article}'"))?;
    let q = quote::quote(a, found, &gongbao::convert::Converter::new(), cli.input.script)
        .context("the clause has no text")?;
    writeln!(out, "{}", q.with_citation())?;
    Ok(())
}

/// `gongbao versions`: the linked pairs.
fn versions_command(corpus: &Corpus, out: &mut impl Write) -> Result<()> {
    let index = search::SearchIndex::build(corpus, search::folder());
    for l in gongbao::versions::link(corpus, &index) {
        let (x, y) = (&corpus.articles[l.a], &corpus.articles[l.b]);
        let title = |a: &gongbao::corpus::Article| a.title.clone().unwrap_or_else(|| "(untitled)".into());
        let id = |a: &gongbao::corpus::Article| gongbao::output::safe_line(&a.id);
        writeln!(out, "{:.2}  {} {}  ⇄  {} {}", l.containment, id(x), title(x), id(y), title(y))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = match Cli::parse_args(std::env::args_os()) {
        Ok(cli) => cli,
        // clap's messages quote the arguments given, which can hold escapes: printed plain
        // (no colours) and through the safe writer like everything else.
        Err(e) => {
            let text = e.render().to_string();
            if e.use_stderr() {
                let _ = write!(SafeWriter::text(std::io::stderr().lock()), "{text}");
            } else {
                let _ = write!(stdout(Form::Text), "{text}");
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            say!("{e:#}");
            ExitCode::from(2)
        }
    }
}

/// A completion script or a manual page, generated from gongbao's own definitions: printed
/// through the safe writer like everything else (tab-separated form, which keeps the tabs
/// the scripts may hold; a test checks that nothing else changes).
fn print_generated(bytes: &[u8]) -> Result<ExitCode> {
    let mut out = stdout(Form::Tsv);
    out.write_all(bytes)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The commands that read no input files: `bookmarks`, `completions`, `lookup`, `man`,
/// `words`; `None` for the others.
fn run_without_inputs(cli: &Cli) -> Option<Result<ExitCode>> {
    match &cli.command {
        Some(Command::Completions { shell }) => Some(print_generated(&gongbao::cli::completions(*shell))),
        Some(Command::Man { dir: None }) => {
            Some(gongbao::cli::man_page().map_err(Into::into).and_then(|page| print_generated(&page)))
        }
        Some(Command::Man { dir: Some(dir) }) => Some(
            gongbao::cli::write_man_pages(dir)
                .with_context(|| format!("writing the manual pages into '{}'", dir.display()))
                .map(|()| ExitCode::SUCCESS),
        ),
        Some(Command::Bookmarks { action }) => Some(bookmarks(cli, action)),
        Some(Command::Lookup { text, json }) => Some(lookup(cli, text, *json)),
        Some(Command::Words { action }) => Some(words(cli, action)),
        _ => None,
    }
}

fn run(cli: &Cli) -> Result<ExitCode> {
    if let Some(done) = run_without_inputs(cli) {
        return done;
    }
    let forced = match &cli.input.encoding {
        Some(name) => Some(decode::encoding_for_label(name).with_context(|| {
            format!("unknown encoding '{name}'; use utf-8, utf-16le, utf-16be, gbk, gb18030 or big5")
        })?),
        None => None,
    };
    // The reader on files: the first frame comes at once, files load on worker threads.
    // (Standard input is read before the terminal is taken, below.)
    if cli.command.is_none() && !cli.input.paths.is_empty() && cli.input.paths.iter().all(|p| p != "-") {
        require_terminal(cli)?;
        let inputs: Vec<load::Input> = cli.input.paths.iter().map(|p| load::Input::from_arg(p)).collect();
        let max = cli.input.max_size.saturating_mul(1024 * 1024);
        gongbao::term::install_panic_hook();
        let state = ReaderState::read(cli);
        let loading = loader::start_with(inputs, state.saved.load_config(max, forced));
        return Ok(ExitCode::from(read(cli, Corpus::default(), Some(loading), Some(state))?));
    }
    // Without a terminal the reader would only say so after standard input was read to its end.
    if cli.command.is_none() && stdin_is_data(cli) {
        require_terminal(cli)?;
    }
    // The reader's state is read before its files are (see `ReaderState`); without a terminal
    // there is no reader, and a corrupt state file is left for the run that has one.
    let state =
        (cli.command.is_none() && gongbao::term::is_terminal(stdin_is_data(cli))).then(|| ReaderState::read(cli));
    let inputs: Vec<load::Input> = if cli.input.paths.is_empty() {
        vec![load::Input::Bundled]
    } else {
        cli.input.paths.iter().map(|p| load::Input::from_arg(p)).collect()
    };
    let max = cli.input.max_size.saturating_mul(1024 * 1024);
    if let Some(Command::Export { format, explain }) = &cli.command {
        let form = match (explain, format) {
            (true, _) => Written::Explain,
            (false, Format::Json) => Written::Json,
            (false, Format::Text) => Written::Text,
        };
        return export_command(cli, inputs, loader::Config::new(max, forced, ReadOptions::default()), form);
    }
    // The reader reads files in the encodings chosen for them; the commands never do.
    let config = state
        .as_ref()
        .map_or_else(|| loader::Config::new(max, forced, ReadOptions::default()), |s| s.saved.load_config(max, forced));
    // The other commands (and the reader on standard input or the samples) need every article
    // before they start: loaded on every core all the same, then gathered in list order. The
    // search index is built from the whole corpus, as before.
    let loaded = loader::gather(loader::start_with(inputs, loader::Config { search_index: false, ..config }));
    if loaded.skipped > 0 {
        say!("{}", loader::skipped_message(loaded.skipped));
    }
    for w in &loaded.warnings {
        say!("warning: {w}");
    }
    for f in loaded.failures.lines() {
        say!("{f}");
    }
    let corpus = loaded.corpus;
    if corpus.sources.is_empty() {
        bail!("nothing to read: no input could be loaded");
    }
    let json = matches!(&cli.command, Some(Command::Search { json: true, .. } | Command::Diff { json: true, .. }));
    let mut out = stdout(if json { Form::Json } else { Form::Text });
    match &cli.command {
        Some(Command::Search { query, json, exact }) => search_command(cli, &corpus, query, *json, *exact, &mut out)?,
        Some(Command::Diff { a, b, json }) => diff_command(&corpus, a, b, *json, &mut out)?,
        Some(Command::Versions) => versions_command(&corpus, &mut out)?,
        Some(Command::Quote { article, clause }) => quote_command(cli, &corpus, article, clause, &mut out)?,
        Some(
            Command::Bookmarks { .. }
            | Command::Export { .. }
            | Command::Completions { .. }
            | Command::Lookup { .. }
            | Command::Man { .. }
            | Command::Words { .. },
        ) => {
            unreachable!("handled above")
        }
        None => {
            drop(out);
            let status = read(cli, corpus, None, state)?;
            if status != 0 {
                return Ok(ExitCode::from(status));
            }
        }
    }
    Ok(if loaded.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
