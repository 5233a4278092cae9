#pragma once

#include "install/install_env.hpp"
#include "install/manifest_targets.hpp"
#include "install/registry.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace sluice::install {

// Runs the binary a manifest names and says who answered: its version line, or a problem in words.
struct probe_answer {
    std::string version{};
    std::string problem{};
};
using binary_probe = std::function<probe_answer(std::filesystem::path const&)>;

// Runs `binary --version` (at most a few seconds, stdin closed) and expects sluice-host to answer.
probe_answer probe_host_binary(std::filesystem::path const& binary);

struct manifest_check {
    scope where = scope::user;
    std::filesystem::path file{};
    std::optional<registry_key> key{};
    std::filesystem::path binary{};
    std::string version{};
    std::vector<std::string> problems{};
};

struct browser_check {
    browser const* row = nullptr;
    bool found = false;
    std::vector<manifest_check> manifests{}; // only those present
    std::vector<std::string> advice{};       // what to do, one line each
    bool healthy() const;
};

struct doctor_report {
    std::vector<browser_check> browsers{};
    bool healthy() const;
};

// Looks at every place each browser reads a manifest from (user, then system) and checks what is there:
// valid JSON naming our host, exactly our extension id, an absolute path to an executable that answers as
// sluice-host. Each problem comes with the command that fixes it.
doctor_report run_doctor(install_env const& env, registry* reg, binary_probe const& probe);

std::string render_text(doctor_report const& report);
nlohmann::json render_json(doctor_report const& report);

} // namespace sluice::install
