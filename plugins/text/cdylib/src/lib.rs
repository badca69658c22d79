//! `libward_plugin_text`: the built-in `text` plugin as a loadable library.
ward_plugin_sdk::export_plugin!(text::TextPlugin);
