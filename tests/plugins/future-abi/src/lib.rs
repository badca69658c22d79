//! Claims a ward plugin ABI this engine does not speak.

#[no_mangle]
pub extern "C" fn ward_plugin_abi_version() -> u32 {
    99
}
