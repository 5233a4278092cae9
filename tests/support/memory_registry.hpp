#pragma once

#include "install/registry.hpp"

#include <map>

namespace sluice::testing {

// Stands in for the Windows registry, which does not exist on the machines these tests run on: a map
// from (hive, key) to the key's default value, behind the interface the real registry implements.
class memory_registry final : public install::registry {
public:
    std::optional<std::string> default_value(install::registry_key const& key) override {
        auto const it = values.find(name(key));
        return it == values.end() ? std::nullopt : std::optional(it->second);
    }
    void set_default_value(install::registry_key const& key, std::string const& value,
                           std::error_code& ec) override {
        ec.clear();
        values[name(key)] = value;
    }
    void remove_key(install::registry_key const& key, std::error_code& ec) override {
        ec.clear();
        values.erase(name(key));
    }

    static std::string name(install::registry_key const& key) { return key.display(); }
    std::map<std::string, std::string> values;
};

} // namespace sluice::testing
