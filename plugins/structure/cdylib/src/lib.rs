//! `libward_plugin_structure`: the built-in `structure` plugin as a loadable library.
ward_plugin_sdk::export_plugin!(structure::StructurePlugin);
