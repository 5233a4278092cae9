#pragma once

#include <string>
#include <vector>

namespace sluice::install {

// `sluice-host install|uninstall|doctor ...`: run by a person or a package script, never by a browser (a
// browser's first argument is an origin or a manifest path). Like --version, they answer on stderr: stdout
// is the native-messaging channel in every mode of this binary, so nothing else is ever written there.
bool is_install_command(std::vector<std::string> const& args);
int run_install_command(std::vector<std::string> const& args);

} // namespace sluice::install
