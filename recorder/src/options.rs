//! The plugin's options: `-plugin libvmscope_recorder.so,out=PATH,mem=touched`.

use std::path::PathBuf;

/// What to record of user memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryMode {
    /// The bytes the kernel read from or wrote to user memory during calls.
    Touched,
    /// Registers and probes only.
    None,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub out: PathBuf,
    pub mem: MemoryMode,
    /// Lowest kernel address; `None` means decided from EFER.LMA at the
    /// first system call (the upper canonical half for 64-bit kernels,
    /// 0x80000000 for 32-bit ones).
    pub kernel_base: Option<u64>,
    /// How often the trace is flushed to disk, so that a hard kill loses
    /// at most about this much.
    pub flush_ms: u64,
    /// zstd level for chunks.
    pub level: i32,
}

impl Options {
    /// Every option as the header records it, defaults included.
    pub fn describe(&self) -> Vec<(String, String)> {
        vec![
            ("out".into(), self.out.display().to_string()),
            (
                "mem".into(),
                match self.mem {
                    MemoryMode::Touched => "touched",
                    MemoryMode::None => "none",
                }
                .into(),
            ),
            (
                "kernel-base".into(),
                self.kernel_base
                    .map_or_else(|| "auto".into(), |base| format!("{base:#x}")),
            ),
            ("flush-ms".into(), self.flush_ms.to_string()),
            ("level".into(), self.level.to_string()),
        ]
    }
}

fn number(key: &str, value: &str) -> Result<u64, String> {
    let parsed = match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => value.parse(),
    };
    parsed.map_err(|_| format!("option {key}={value}: not a number"))
}

/// Parses `key=value` arguments as QEMU passes them.
pub fn parse<'a>(args: impl IntoIterator<Item = &'a str>) -> Result<Options, String> {
    let mut out = None;
    let mut options = Options {
        out: PathBuf::new(),
        mem: MemoryMode::Touched,
        kernel_base: None,
        flush_ms: 500,
        // The writer competes with the vCPUs for the host's cores: at
        // level 1 it takes about 0.15 s less CPU than at 3 on the loop
        // workload (of QEMU's 0.7 s more than without the recorder), for
        // traces 2-4% larger.
        level: 1,
    };
    for arg in args {
        let Some((key, value)) = arg.split_once('=') else {
            return Err(format!("option {arg:?}: expected key=value"));
        };
        match key {
            "out" if !value.is_empty() => out = Some(PathBuf::from(value)),
            "mem" => {
                options.mem = match value {
                    "touched" => MemoryMode::Touched,
                    "none" => MemoryMode::None,
                    _ => return Err(format!("option mem={value}: expected touched or none")),
                }
            }
            "kernel-base" if value == "auto" => options.kernel_base = None,
            "kernel-base" => options.kernel_base = Some(number(key, value)?),
            "flush-ms" => {
                options.flush_ms = number(key, value)?;
                if !(10..=60_000).contains(&options.flush_ms) {
                    return Err(format!("option flush-ms={value}: expected 10 to 60000"));
                }
            }
            "level" => {
                options.level = number(key, value)? as i32;
                if !(1..=19).contains(&options.level) {
                    return Err(format!("option level={value}: expected 1 to 19"));
                }
            }
            _ => {
                return Err(format!(
                    "unknown option {key:?} (known: out, mem, kernel-base, flush-ms, level)"
                ));
            }
        }
    }
    options.out = out.ok_or("option out=PATH is required")?;
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_values() {
        let o = parse(["out=/tmp/t.vmt"]).unwrap();
        assert_eq!(o.mem, MemoryMode::Touched);
        assert_eq!(o.kernel_base, None);
        assert_eq!((o.flush_ms, o.level), (500, 1));
        let o = parse([
            "out=t.vmt",
            "mem=none",
            "kernel-base=0xc0000000",
            "flush-ms=100",
            "level=19",
        ])
        .unwrap();
        assert_eq!(
            (o.mem, o.kernel_base, o.flush_ms, o.level),
            (MemoryMode::None, Some(0xc000_0000), 100, 19)
        );
    }

    #[test]
    fn bad_options_are_named() {
        assert!(parse([]).unwrap_err().contains("out=PATH is required"));
        assert!(parse(["out=t", "mem=all"]).unwrap_err().contains("mem=all"));
        assert!(
            parse(["out=t", "colour=red"])
                .unwrap_err()
                .contains("\"colour\"")
        );
        assert!(
            parse(["out=t", "flush-ms=x"])
                .unwrap_err()
                .contains("flush-ms=x")
        );
        assert!(parse(["out"]).unwrap_err().contains("key=value"));
    }
}
