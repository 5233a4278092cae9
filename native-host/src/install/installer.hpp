#pragma once

#include "install/install_env.hpp"
#include "install/registry.hpp"

#include <string>
#include <vector>

namespace sluice::install {

// What install or uninstall did, line by line, for the person who ran it.
struct install_result {
    std::vector<std::string> done;
    std::vector<std::string> errors;
    bool ok() const { return errors.empty(); }
};

// The browsers a command means: `names` as given ("all" for every row), or when empty every browser for
// a system install and, for a user install, those found on this machine plus those already registered.
// An unknown name fills `error` and returns nothing.
std::vector<browser const*> select_browsers(install_env const& env, scope s,
                                            std::vector<std::string> const& names, std::string& error);

// Writes a manifest naming env.host_binary for each browser in `wanted` (rewriting one that names another
// binary: the binary moved), and on Windows the registry keys; records what it made. Running it twice
// changes nothing the second time. `reg` may be null except on Windows.
install_result install(install_env const& env, scope s, std::vector<browser const*> const& wanted,
                       registry* reg);

// Removes what install recorded for `s`: our manifests, the registry keys still pointing at them, and the
// folders install made if they are empty again. Anything else is left where it is.
install_result uninstall(install_env const& env, scope s, registry* reg);

} // namespace sluice::install
