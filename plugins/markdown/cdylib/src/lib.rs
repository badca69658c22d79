//! `libward_plugin_markdown`: the built-in `markdown` plugin as a loadable library.
ward_plugin_sdk::export_plugin!(markdown::MarkdownPlugin);
