//! Command-line interface: what `gongbao` accepts, parsed with clap.

use std::ffi::OsString;

use clap::{Parser, Subcommand, ValueEnum};

/// gongbao (公报): read Chinese news articles and diplomatic communiqués.
#[derive(Debug, Parser)]
#[command(name = "gongbao", version, long_version = LONG_VERSION, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub input: InputArgs,
}

impl Cli {
    /// Parses `args` as [`Parser::try_parse_from`] does, noting whether `--script` was given
    /// (a resumed session's script gives way only to one asked for).
    ///
    /// # Errors
    /// clap's error for arguments that do not parse, `--help` and `--version`.
    pub fn parse_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        use clap::{CommandFactory as _, FromArgMatches as _};
        let matches = Cli::command().try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        let given = |m: &clap::ArgMatches| m.value_source("script") == Some(clap::parser::ValueSource::CommandLine);
        cli.input.script_given = given(&matches) || matches.subcommand().is_some_and(|(_, m)| given(m));
        Ok(cli)
    }
}

/// `--version`: the version and the data embedded, whose licence asks for attribution (the
/// same words as [`crate::dict::ATTRIBUTION`], which a test checks).
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\nWord look-up: CC-CEDICT (MDBG, 2023-11-07), licensed CC BY-SA 4.0: https://creativecommons.org/licenses/by-sa/4.0/"
);

/// Where the text comes from; shared by every command.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Files or folders to read (`-` for standard input). None: the bundled samples.
    #[arg(value_name = "PATHS", global = true)]
    pub paths: Vec<OsString>,
    /// Decode every input with this encoding (utf-8, utf-16le, utf-16be, gbk, gb18030, big5).
    #[arg(long, value_name = "NAME", global = true)]
    pub encoding: Option<String>,
    /// Refuse input files larger than this many MiB.
    #[arg(long, value_name = "MIB", default_value_t = 256, global = true)]
    pub max_size: u64,
    /// Script to show text in at start (the `s` key cycles); without it the reader resumes in
    /// the script it was left in.
    #[arg(long, value_enum, default_value_t = crate::convert::Script::Original, global = true)]
    pub script: crate::convert::Script,
    /// Whether `--script` was given on the command line (not its default): set by
    /// [`Cli::parse_args`].
    #[arg(skip)]
    pub script_given: bool,
    /// Width of East Asian ambiguous characters (“ ” … · —) in your terminal.
    #[arg(long, value_enum, default_value_t = Ambiguous::Narrow, global = true)]
    pub ambiguous_width: Ambiguous,
    /// Copy with this command (e.g. `wl-copy`, `xclip -selection clipboard`, `pbcopy`) instead of
    /// the terminal's OSC 52, for terminals that refuse it.
    #[arg(long, value_name = "COMMAND", global = true)]
    pub copy_command: Option<String>,
    /// Where reading positions and bookmarks are kept (default: `GONGBAO_DATA`, else the platform's data folder + gongbao).
    #[arg(long, value_name = "DIR", global = true)]
    pub data_dir: Option<std::path::PathBuf>,
}

/// How wide the terminal draws East Asian ambiguous characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Ambiguous {
    Narrow,
    Wide,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the articles as JSON or text, for scripts.
    Export {
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Instead of the articles, every decision the segmenter weighed, one JSON object a
        /// line: the line, its text, each feature, each class's score and the choice.
        #[arg(long)]
        explain: bool,
    },
    /// Find a phrase in every article, whatever script the text or the query is in.
    Search {
        /// What to look for (Simplified or Traditional; width, spaces and line breaks do not matter).
        #[arg(value_name = "QUERY")]
        query: String,
        /// Print `{"matches": [...]}` for scripts.
        #[arg(long)]
        json: bool,
        /// Match the text exactly as written (no script or width folding).
        #[arg(long)]
        exact: bool,
    },
    /// Compare two versions of a text clause by clause (article ids as in `export`).
    Diff {
        #[arg(value_name = "A")]
        a: String,
        #[arg(value_name = "B")]
        b: String,
        /// Print the differences as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the articles that are versions of each other.
    Versions,
    /// Print a clause of an article with its citation, as `y` copies it (in `--script`).
    Quote {
        /// The article's id, as in `export`.
        #[arg(value_name = "ARTICLE_ID")]
        article: String,
        /// The clause: `13`, `十三`, `十三、` or `第十三条`.
        #[arg(value_name = "CLAUSE")]
        clause: String,
    },
    /// Look a word up in CC-CEDICT (either script); a sentence is looked up word by word.
    Lookup {
        /// A word or a sentence (`求同存异`, `各方欢迎中方担任轮值主席国`).
        #[arg(value_name = "TEXT")]
        text: String,
        /// Print `{"words": [...]}` with every entry of each word, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// List or export the word list kept with `a` in the reader's look-up pop-up.
    Words {
        #[command(subcommand)]
        action: WordsAction,
    },
    /// List or export the bookmarks (from the data folder; no input files needed).
    Bookmarks {
        #[command(subcommand)]
        action: BookmarksAction,
    },
    /// Print the completion script for a shell.
    ///
    /// `gongbao completions bash > ~/.local/share/bash-completion/completions/gongbao`; the
    /// README (Install) says where zsh and fish look.
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write a page per command into a folder.
    ///
    /// `gongbao man > ~/.local/share/man/man1/gongbao.1`, or `gongbao man --dir
    /// ~/.local/share/man/man1` for `gongbao.1` and a `gongbao-<command>.1` for each command.
    Man {
        /// Write `gongbao.1` and `gongbao-<command>.1` here instead of printing `gongbao.1`.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum BookmarksAction {
    /// One line per bookmark, newest first.
    List,
    /// Every bookmark with title, source, clause, note and quote (in `--script`).
    Export {
        #[arg(long, value_enum, default_value_t = BookmarkFormat::Md)]
        format: BookmarkFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum WordsAction {
    /// One line per word: the word, its pinyin, the sentence.
    List,
    /// Every word: `tsv` imports into Anki (front: word; back: pinyin, senses, sentence).
    Export {
        #[arg(long, value_enum, default_value_t = WordsFormat::Tsv)]
        format: WordsFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WordsFormat {
    Tsv,
    Md,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BookmarkFormat {
    Md,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Text,
}

/// The completion script for `shell`, generated from the definition above, so it cannot
/// disagree with what the binary accepts.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    use clap::CommandFactory as _;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "gongbao", &mut script);
    script
}

/// The manual page `gongbao(1)`, in roff, generated from the definition above.
///
/// # Errors
/// When writing into memory fails (it does not).
pub fn man_page() -> std::io::Result<Vec<u8>> {
    use clap::CommandFactory as _;
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    Ok(page)
}

/// Writes `gongbao.1` and a `gongbao-<command>.1` for each command into `dir`.
///
/// # Errors
/// When a page cannot be written.
pub fn write_man_pages(dir: &std::path::Path) -> std::io::Result<()> {
    use clap::CommandFactory as _;
    clap_mangen::generate_to(Cli::command(), dir)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Issue 20: `gongbao --help` lists what users use and nothing else; the benchmarks that
    /// were `gongbao bench` are `examples/bench` now.
    #[test]
    fn the_help_lists_only_the_user_commands() {
        let names: Vec<String> = Cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect();
        let users =
            ["export", "search", "diff", "versions", "quote", "lookup", "words", "bookmarks", "completions", "man"];
        assert_eq!(names, users);
        let help = Cli::command().render_long_help().to_string();
        assert!(!help.to_lowercase().contains("bench"), "{help}");
    }

    #[test]
    fn a_script_given_is_told_from_the_default() {
        let given = |args: &[&str]| Cli::parse_args(args).map(|c| c.input.script_given).unwrap();
        assert!(!given(&["gongbao"]));
        assert!(!given(&["gongbao", "a.txt"]));
        assert!(given(&["gongbao", "--script", "original"]), "even the default, when asked for");
        assert!(given(&["gongbao", "a.txt", "--script", "traditional"]));
        assert!(given(&["gongbao", "export", "--script", "traditional"]));
    }

    #[test]
    fn export_takes_paths_after_the_subcommand() {
        let cli = Cli::parse_from(["gongbao", "export", "--format", "text", "a.txt", "b"]);
        assert!(matches!(cli.command, Some(Command::Export { format: Format::Text, .. })));
        assert_eq!(cli.input.paths, [OsString::from("a.txt"), OsString::from("b")]);
    }

    #[test]
    fn the_long_version_names_the_dictionary_and_its_licence() {
        assert!(LONG_VERSION.ends_with(crate::dict::ATTRIBUTION), "{LONG_VERSION}");
    }

    #[test]
    fn completions_name_every_command_in_each_shell() {
        for shell in [clap_complete::Shell::Bash, clap_complete::Shell::Zsh, clap_complete::Shell::Fish] {
            let script = String::from_utf8(completions(shell)).expect("UTF-8");
            for command in Cli::command().get_subcommands().filter(|c| !c.is_hide_set()) {
                assert!(script.contains(command.get_name()), "{shell}: no {}", command.get_name());
            }
            assert!(script.contains("ambiguous-width"), "{shell}: options are completed too");
        }
    }

    #[test]
    fn the_man_page_documents_the_commands_and_options() {
        let page = String::from_utf8(man_page().expect("render")).expect("UTF-8");
        assert!(page.contains(".TH gongbao 1"), "{page:.200}");
        for word in ["export", "completions", "\\-\\-encoding", "\\-\\-data\\-dir"] {
            assert!(page.contains(word), "no {word} in the man page");
        }
        let dir = tempfile::tempdir().expect("temp dir");
        write_man_pages(dir.path()).expect("write");
        assert!(dir.path().join("gongbao.1").is_file());
        assert!(dir.path().join("gongbao-export.1").is_file());
    }

    #[test]
    fn search_takes_the_query_first_then_paths() {
        let cli = Cli::parse_from(["gongbao", "search", "各方欢迎", "a.txt", "--json", "b"]);
        let Some(Command::Search { query, json, exact }) = cli.command else { panic!("not a search") };
        assert_eq!((query.as_str(), json, exact), ("各方欢迎", true, false));
        assert_eq!(cli.input.paths, [OsString::from("a.txt"), OsString::from("b")]);
    }
}
