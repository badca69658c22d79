//! `libward_plugin_license`: the built-in `license` plugin as a loadable library.
ward_plugin_sdk::export_plugin!(license::LicensePlugin);
