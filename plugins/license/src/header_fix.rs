//! The fix of `license/missing-header`: the configured header, written in
//! the comment syntax of the file's language, inserted at the top (after a
//! `#!` line or an XML declaration, which must stay first).

use ward_plugin_sdk::Edit;

/// How a language writes a comment: a line prefix, or a block's two ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comment {
    /// `// text`
    Line(&'static str),
    /// `/* text */`
    Block(&'static str, &'static str),
}

/// The comment syntax of `path`'s language, when ward knows it.
pub fn comment_syntax(path: &str) -> Option<Comment> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if matches!(
        name,
        "Makefile" | "Dockerfile" | "CMakeLists.txt" | "BUILD" | "Justfile"
    ) {
        return Some(Comment::Line("#"));
    }
    let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "rs" | "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "js" | "mjs" | "cjs" | "jsx"
        | "ts" | "mts" | "cts" | "tsx" | "go" | "java" | "kt" | "kts" | "swift" | "scala"
        | "cs" | "dart" | "groovy" | "gradle" | "proto" | "zig" | "v" | "sv" => Comment::Line("//"),
        "py" | "sh" | "bash" | "zsh" | "fish" | "rb" | "pl" | "pm" | "r" | "yaml" | "yml"
        | "toml" | "ps1" | "mk" | "cmake" | "nix" | "tf" | "ex" | "exs" | "jl" | "cr" => {
            Comment::Line("#")
        }
        "sql" | "lua" | "hs" | "elm" | "ada" | "adb" | "ads" => Comment::Line("--"),
        "clj" | "cljs" | "lisp" | "el" | "scm" => Comment::Line(";;"),
        "erl" | "hrl" | "tex" => Comment::Line("%"),
        "css" | "scss" | "less" => Comment::Block("/*", "*/"),
        "html" | "htm" | "xml" | "svg" | "vue" | "svelte" | "md" => Comment::Block("<!--", "-->"),
        _ => return None,
    })
}

/// The edit that inserts `header` (one or more lines) as a comment into
/// `bytes`, the content of `path`; `None` for a language ward cannot
/// comment in.
pub fn insert_header(path: &str, bytes: &[u8], header: &str) -> Option<Edit> {
    let syntax = comment_syntax(path)?;
    // The file's own line ending, from its first line.
    let newline = match bytes.iter().position(|b| *b == b'\n') {
        Some(i) if i > 0 && bytes[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    };
    let lines: Vec<&str> = header.lines().map(str::trim_end).collect();
    let mut comment = String::new();
    match syntax {
        Comment::Line(prefix) => {
            for line in &lines {
                if line.is_empty() {
                    comment.push_str(prefix);
                } else {
                    comment.push_str(&format!("{prefix} {line}"));
                }
                comment.push_str(newline);
            }
        }
        Comment::Block(open, close) => {
            if lines.len() == 1 {
                comment.push_str(&format!("{open} {} {close}{newline}", lines[0]));
            } else {
                comment.push_str(open);
                comment.push_str(newline);
                for line in &lines {
                    comment.push_str(line);
                    comment.push_str(newline);
                }
                comment.push_str(close);
                comment.push_str(newline);
            }
        }
    }
    // A `#!` line and an XML declaration must stay on line 1.
    let first_line_end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    let at = if bytes.starts_with(b"#!") || bytes.starts_with(b"<?xml") {
        if first_line_end == bytes.len() && !bytes.ends_with(b"\n") {
            comment.insert_str(0, newline);
        }
        first_line_end
    } else {
        0
    };
    Some(Edit {
        start: at,
        end: at,
        replacement: comment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(path: &str, text: &str, header: &str) -> Option<String> {
        let edit = insert_header(path, text.as_bytes(), header)?;
        let mut out = text.to_string();
        out.replace_range(edit.start..edit.end, &edit.replacement);
        Some(out)
    }

    #[test]
    fn headers_in_each_comment_syntax() {
        let spdx = "SPDX-License-Identifier: MIT";
        assert_eq!(
            fixed("src/a.rs", "fn main() {}\n", spdx).unwrap(),
            "// SPDX-License-Identifier: MIT\nfn main() {}\n"
        );
        assert_eq!(
            fixed("a.py", "#!/usr/bin/env python3\nprint(1)\n", spdx).unwrap(),
            "#!/usr/bin/env python3\n# SPDX-License-Identifier: MIT\nprint(1)\n"
        );
        assert_eq!(
            fixed("q.sql", "select 1;\r\n", spdx).unwrap(),
            "-- SPDX-License-Identifier: MIT\r\nselect 1;\r\n"
        );
        assert_eq!(
            fixed(
                "s.css",
                "a {}\n",
                "Copyright Acme\n\nSPDX-License-Identifier: MIT"
            )
            .unwrap(),
            "/*\nCopyright Acme\n\nSPDX-License-Identifier: MIT\n*/\na {}\n"
        );
        assert_eq!(
            fixed("d.xml", "<?xml version=\"1.0\"?>\n<a/>\n", spdx).unwrap(),
            "<?xml version=\"1.0\"?>\n<!-- SPDX-License-Identifier: MIT -->\n<a/>\n"
        );
        assert_eq!(
            fixed("Makefile", "all:\n", "Copyright Acme\n\nMIT").unwrap(),
            "# Copyright Acme\n#\n# MIT\nall:\n"
        );
        assert_eq!(fixed("data.bin", "x", spdx), None);
    }
}
