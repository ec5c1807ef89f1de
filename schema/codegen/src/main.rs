//! Regenerates `schema/src/trace_capnp.rs` with Debian's `capnp` tool and
//! the capnpc crate's Rust backend. Its own crate, so that it builds even
//! when the committed code no longer compiles against a changed schema.

use std::path::Path;

fn main() {
    let schema_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::env::temp_dir().join(format!("vmscope-codegen-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("create a temporary directory");
    if let Err(error) = capnpc::CompilerCommand::new()
        .src_prefix(&schema_dir)
        .file(schema_dir.join("trace.capnp"))
        .output_path(&out)
        .run()
    {
        eprintln!("codegen: capnp compile failed: {error} (is capnproto installed?)");
        std::process::exit(2);
    }
    let fresh = std::fs::read(out.join("trace_capnp.rs")).expect("read the generated code");
    std::fs::remove_dir_all(&out).ok();
    std::fs::write(schema_dir.join("src/trace_capnp.rs"), fresh).expect("write trace_capnp.rs");
}
