//! `libward_plugin_manifest`: the built-in `manifest` plugin as a loadable library.
ward_plugin_sdk::export_plugin!(manifest::ManifestPlugin);
