//! `libward_plugin_security`: the built-in `security` plugin as a loadable library.
ward_plugin_sdk::export_plugin!(security::SecurityPlugin);
