//! `libward_plugin_editorconfig`: the built-in `editorconfig` plugin as a loadable library.
ward_plugin_sdk::export_plugin!(editorconfig::EditorconfigPlugin);
