#include "install/doctor.hpp"

#include "install/host_manifest.hpp"
#include "install/read_text.hpp"

#include <boost/process/child.hpp>
#include <boost/process/io.hpp>

#include <chrono>
#include <thread>
#include <unistd.h>

namespace sluice::install {

namespace fs = std::filesystem;
namespace bp = boost::process;

namespace {

std::string fix_command(scope s, browser const& b) {
    return s == scope::user ? "sluice-host install --user --browser " + std::string(b.key)
                            : "sudo sluice-host install --system --browser " + std::string(b.key) +
                                  " (or reinstall the sluice package)";
}

manifest_check check_one(target const& t, scope s, registry* reg, binary_probe const& probe, bool& present) {
    manifest_check c{.where = s, .file = t.manifest_file, .key = t.key};
    present = false;
    if (t.key) {
        auto const value = reg != nullptr ? reg->default_value(*t.key) : std::nullopt;
        if (!value) {
            return c;
        }
        c.file = *value;
    }
    std::error_code ec;
    if (!fs::exists(c.file, ec)) {
        if (t.key) {
            present = true;
            c.problems.push_back(t.key->display() + " names " + c.file.string() + ", which does not exist");
        }
        return c;
    }
    present = true;
    auto const text = read_text(c.file);
    c.problems = manifest_problems(text, t.kind);
    c.binary = manifest_binary(text);
    if (c.binary.empty() || !c.binary.is_absolute()) {
        return c;
    }
    if (!fs::exists(c.binary, ec)) {
        c.problems.push_back("its \"path\" " + c.binary.string() + " does not exist (moved or removed?)");
    } else if (!fs::is_regular_file(c.binary, ec) || ::access(c.binary.c_str(), X_OK) != 0) {
        c.problems.push_back("its \"path\" " + c.binary.string() + " is not an executable file");
    } else {
        auto answer = probe(c.binary);
        c.version = std::move(answer.version);
        if (!answer.problem.empty()) {
            c.problems.push_back(answer.problem);
        }
    }
    return c;
}

} // namespace

probe_answer probe_host_binary(fs::path const& binary) {
    char templ[] = "/tmp/sluice-probe-XXXXXX";
    int const fd = ::mkstemp(templ);
    if (fd < 0) {
        return {.problem = "could not make a temporary file to run " + binary.string()};
    }
    ::close(fd);
    fs::path const out = templ;
    probe_answer answer;
    try {
        bp::child child(binary.string(), "--version", bp::std_in<bp::null, bp::std_out> bp::null,
                        bp::std_err > out.string());
        auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        // Polled, not wait_for: Boost 1.74's wait_for can block past its timeout.
        while (child.running() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (child.running()) {
            child.terminate();
            answer.problem = binary.string() + " did not answer --version within 5 s";
        } else {
            auto text = read_text(out);
            text = text.substr(0, text.find('\n'));
            if (child.exit_code() == 0 && text.starts_with("sluice-host ")) {
                answer.version = text;
            } else {
                answer.problem = binary.string() + " ran but did not answer as sluice-host (exit " +
                                 std::to_string(child.exit_code()) + ")";
            }
        }
    } catch (std::exception const& e) {
        answer.problem = binary.string() + " could not be started: " + e.what();
    }
    std::error_code ec;
    fs::remove(out, ec);
    return answer;
}

bool browser_check::healthy() const {
    bool any_good = false;
    for (auto const& m : manifests) {
        if (!m.problems.empty()) {
            return false;
        }
        any_good = true;
    }
    return any_good || !found;
}

bool doctor_report::healthy() const {
    for (auto const& b : browsers) {
        if (!b.healthy()) {
            return false;
        }
    }
    return true;
}

doctor_report run_doctor(install_env const& env, registry* reg, binary_probe const& probe) {
    doctor_report report;
    for (auto const& b : browsers()) {
        browser_check check{.row = &b, .found = browser_found(b, env)};
        for (auto const s : {scope::user, scope::system}) {
            for (auto const& t : plan_targets(env, s, {&b})) {
                bool present = false;
                auto c = check_one(t, s, reg, probe, present);
                if (!present) {
                    continue;
                }
                if (!c.problems.empty()) {
                    check.advice.push_back("fix " + (c.key ? c.key->display() : c.file.string()) + ": " +
                                           fix_command(s, b));
                }
                check.manifests.push_back(std::move(c));
            }
        }
        if (check.manifests.empty() && check.found) {
            check.advice.push_back("not registered: run " + fix_command(scope::user, b));
        }
        if (check.manifests.size() > 1 && !check.manifests.front().problems.empty() &&
            check.manifests.front().where == scope::user) {
            check.advice.push_back(
                "the user-level manifest is read first, so its problems hide the system one");
        }
        report.browsers.push_back(std::move(check));
    }
    return report;
}

std::string render_text(doctor_report const& report) {
    std::string out;
    for (auto const& b : report.browsers) {
        out += std::string(b.row->name) + " (" + std::string(b.row->key) + "): ";
        if (b.manifests.empty()) {
            out += b.found ? "installed, not registered\n" : "not found\n";
        } else {
            out += std::string(b.found ? "installed" : "not found") +
                   (b.healthy() ? ", registered\n" : ", BROKEN\n");
        }
        for (auto const& m : b.manifests) {
            out += "  " + std::string(m.where == scope::user ? "user:   " : "system: ") +
                   (m.key ? m.key->display() + " -> " : "") + m.file.string();
            if (m.problems.empty()) {
                out += "\n    ok: runs " + m.binary.string() + " (" + m.version + ")\n";
            } else {
                out += "\n";
                for (auto const& p : m.problems) {
                    out += "    problem: " + p + "\n";
                }
            }
        }
        for (auto const& a : b.advice) {
            out += "    -> " + a + "\n";
        }
    }
    out += report.healthy() ? "No problems found.\n" : "Problems found: see the lines marked problem.\n";
    return out;
}

nlohmann::json render_json(doctor_report const& report) {
    auto out = nlohmann::json::array();
    for (auto const& b : report.browsers) {
        auto manifests = nlohmann::json::array();
        for (auto const& m : b.manifests) {
            manifests.push_back({{"scope", m.where == scope::user ? "user" : "system"},
                                 {"file", m.file.string()},
                                 {"registryKey", m.key ? m.key->display() : ""},
                                 {"binary", m.binary.string()},
                                 {"version", m.version},
                                 {"problems", m.problems}});
        }
        out.push_back({{"browser", b.row->key},
                       {"name", b.row->name},
                       {"found", b.found},
                       {"healthy", b.healthy()},
                       {"manifests", manifests},
                       {"advice", b.advice}});
    }
    return {{"healthy", report.healthy()}, {"browsers", out}};
}

} // namespace sluice::install
