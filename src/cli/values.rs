//! The command line's spellings of the libraries' choices: `clap` stays in
//! the binary, so each option with a fixed set of values has its enum here
//! (the doc comments are the `--help` text) and converts into the
//! library's type.

use clap::ValueEnum;
use tcplab_lab::echo::EchoVersion;
use tcplab_lab::file_copy::Mode;
use tcplab_render::report::Lang;

/// `--lang`: the language of reports and graphs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Es,
}

impl LangArg {
    /// The language asked for, else the one of the `LANG` variable.
    pub fn or_env(arg: Option<LangArg>) -> Lang {
        match arg {
            Some(LangArg::En) => Lang::En,
            Some(LangArg::Es) => Lang::Es,
            None => Lang::from_env(),
        }
    }
}

/// `--version` of `echo-server`: which of the lab's echo servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EchoVersionArg {
    /// v1: one client, until it sends "." or closes
    Single,
    /// v1_2: queued clients served one after another
    Turns,
    /// v1_3: close after the first reply or after the idle timeout (5 s)
    Once,
    /// v2: all clients at once (select-style); --idle-timeout expels the silent
    Multi,
    /// v3_7: multi with the lab's length-prefixed A-PDUs
    Framed,
}

impl From<EchoVersionArg> for EchoVersion {
    fn from(arg: EchoVersionArg) -> EchoVersion {
        match arg {
            EchoVersionArg::Single => EchoVersion::Single,
            EchoVersionArg::Turns => EchoVersion::Turns,
            EchoVersionArg::Once => EchoVersion::Once,
            EchoVersionArg::Multi => EchoVersion::Multi,
            EchoVersionArg::Framed => EchoVersion::Framed,
        }
    }
}

/// `--mode`: how the file copy sends the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// One send per line, each with the file's own line end; then FIN
    Lines,
    /// One A-PDU (length header, ':', the whole file) in a single send; then FIN
    Whole,
}

impl From<ModeArg> for Mode {
    fn from(arg: ModeArg) -> Mode {
        match arg {
            ModeArg::Lines => Mode::Lines,
            ModeArg::Whole => Mode::Whole,
        }
    }
}
