#include "install/manifest_targets.hpp"

#include "install/host_manifest.hpp"

#include <algorithm>

namespace sluice::install {

namespace fs = std::filesystem;

namespace {

void add(std::vector<target>& out, target t) {
    auto const same = [&](target const& o) { return o.manifest_file == t.manifest_file && o.key == t.key; };
    if (auto it = std::find_if(out.begin(), out.end(), same); it != out.end()) {
        for (auto& name : t.browsers) {
            if (std::find(it->browsers.begin(), it->browsers.end(), name) == it->browsers.end()) {
                it->browsers.push_back(name);
            }
        }
        return;
    }
    out.push_back(std::move(t));
}

std::string manifest_name() {
    return std::string(host_name) + ".json";
}

} // namespace

std::vector<target> plan_targets(install_env const& env, scope s, std::vector<browser const*> const& wanted) {
    std::vector<target> out;
    for (auto const* b : wanted) {
        if (env.os == desktop::windows) {
            auto const file =
                env.host_binary.parent_path() /
                (std::string(host_name) + (b->kind == family::chromium ? ".chromium" : ".firefox") + ".json");
            for (auto const key : b->windows_keys) {
                add(out, {.kind = b->kind,
                          .manifest_file = file,
                          .key = registry_key{.machine = s == scope::system,
                                              .path = std::string(key) + "\\" + std::string(host_name)},
                          .browsers = {std::string(b->name)}});
            }
            continue;
        }
        auto const* p = places_on(*b, env.os);
        for (auto const dir : s == scope::user ? p->user_dirs : p->system_dirs) {
            add(out, {.kind = b->kind,
                      .manifest_file = expand(dir, env) / manifest_name(),
                      .browsers = {std::string(b->name)}});
        }
    }
    return out;
}

} // namespace sluice::install
