//! `libward_plugin_workflows`: the built-in `workflows` plugin as a loadable library.
ward_plugin_sdk::export_plugin!(workflows::WorkflowsPlugin);
