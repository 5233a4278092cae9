#pragma once

#include "install/manifest_targets.hpp"

#include <memory>
#include <optional>
#include <string>
#include <system_error>

namespace sluice::install {

// The part of the Windows registry that native messaging reads: a key whose default value is the path of
// the host's manifest. An interface, so that the installer's Windows path runs in tests on other systems.
class registry {
public:
    virtual ~registry() = default;
    virtual std::optional<std::string> default_value(registry_key const& key) = 0;
    virtual void set_default_value(registry_key const& key, std::string const& value,
                                   std::error_code& ec) = 0;
    virtual void remove_key(registry_key const& key, std::error_code& ec) = 0;
};

// Windows' own registry; nullptr on systems that have none.
std::unique_ptr<registry> native_registry();

} // namespace sluice::install
