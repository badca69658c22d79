//! YAML syntax and duplicate keys, from yaml-rust2's event stream with marks.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

enum Frame {
    Map {
        keys: std::collections::HashSet<String>,
        expect_key: bool,
    },
    Seq,
}

/// A duplicate key: its text and 1-based line and column.
pub struct Duplicate {
    /// The key.
    pub key: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

#[derive(Default)]
struct Collector {
    stack: Vec<Frame>,
    duplicates: Vec<Duplicate>,
}

impl Collector {
    /// A value (scalar, alias, or a finished collection) completes a map entry.
    fn value_done(&mut self) {
        if let Some(Frame::Map { expect_key, .. }) = self.stack.last_mut() {
            *expect_key = !*expect_key;
        }
    }
}

impl MarkedEventReceiver for Collector {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::DocumentStart => self.stack.clear(),
            Event::MappingStart(..) => self.stack.push(Frame::Map {
                keys: Default::default(),
                expect_key: true,
            }),
            Event::SequenceStart(..) => self.stack.push(Frame::Seq),
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.value_done();
            }
            Event::Scalar(text, ..) => {
                if let Some(Frame::Map {
                    keys,
                    expect_key: true,
                }) = self.stack.last_mut()
                {
                    // `<<` merge keys may repeat by design.
                    if text != "<<" && !keys.insert(text.clone()) {
                        self.duplicates.push(Duplicate {
                            key: text,
                            line: mark.line(),
                            column: mark.col() + 1,
                        });
                    }
                }
                self.value_done();
            }
            Event::Alias(_) => self.value_done(),
            _ => {}
        }
    }
}

/// Parses `text`: `Err((message, line, column))` on a syntax error, else the duplicate keys.
pub fn check(text: &str) -> Result<Vec<Duplicate>, (String, usize, usize)> {
    let mut collector = Collector::default();
    let mut parser = Parser::new_from_str(text);
    // Events are pulled one by one: `Parser::load` descends one stack frame
    // per level of block nesting, with no limit, and a file indented 3,000
    // levels deep overflowed the thread's stack (which aborts the process).
    // The collector keeps its own stack.
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            (
                e.info().to_string(),
                e.marker().line(),
                e.marker().col() + 1,
            )
        })?;
        if event == Event::StreamEnd {
            break;
        }
        collector.on_event(event, mark);
    }
    Ok(collector.duplicates)
}

#[cfg(test)]
mod tests {
    #[test]
    fn duplicates_and_errors_with_positions() {
        let dups = super::check("a: 1\nb:\n  c: 2\n  c: 3\na: [1]\nd: {x: 1, y: 2}\n").unwrap();
        let found: Vec<(&str, usize, usize)> = dups
            .iter()
            .map(|d| (d.key.as_str(), d.line, d.column))
            .collect();
        assert_eq!(found, [("c", 4, 3), ("a", 5, 1)]);
        let (message, line, column) = super::check("a: [1, 2\nb: 3\n").err().unwrap();
        assert_eq!(
            (message.as_str(), line, column),
            ("illegal placement of ':' indicator", 2, 2)
        );
    }

    #[test]
    fn nesting_deeper_than_any_stack_is_checked_without_recursion() {
        // 20,000 block sequences, one in another: `- - - … - {k: 1, k: 2}`.
        let deep = "- ".repeat(20_000) + "{k: 1, k: 2}\n";
        let dups = super::check(&deep).unwrap();
        assert_eq!(
            (dups[0].key.as_str(), dups[0].line, dups[0].column),
            ("k", 1, 40_008)
        );
    }

    #[test]
    fn merge_keys_and_multiple_documents() {
        let dups =
            super::check("base: &b {x: 1}\nitem:\n  <<: *b\n  <<: *b\n---\nbase: 2\n").unwrap();
        assert!(dups.is_empty());
    }
}
