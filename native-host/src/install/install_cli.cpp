#include "install/install_cli.hpp"

#include "install/doctor.hpp"
#include "install/installer.hpp"

#include <iostream>
#include <unistd.h>

namespace sluice::install {

namespace fs = std::filesystem;

namespace {

constexpr char const* usage =
    "usage: sluice-host install [--user|--system] [--browser NAME]... [--root DIR] [--host-path PATH]\n"
    "       sluice-host uninstall [--user|--system] [--root DIR]\n"
    "       sluice-host doctor [--json] [--root DIR]\n"
    "  --user       for this user only (the default)\n"
    "  --system     for every user of this machine (needs root)\n"
    "  --browser    chrome chromium brave edge vivaldi opera firefox librewolf waterfox, or all;\n"
    "               by default: the browsers found (--user) or all of them (--system)\n"
    "  --root       put system folders under DIR (building a package)\n"
    "  --host-path  the binary the manifests name (default: this sluice-host)\n";

struct options {
    std::string command;
    scope where = scope::user;
    std::vector<std::string> browsers;
    fs::path root;
    fs::path host_path;
    bool json = false;
};

bool parse(std::vector<std::string> const& args, options& o, std::string& error) {
    o.command = args.at(0);
    for (std::size_t i = 1; i < args.size(); ++i) {
        auto const& a = args[i];
        auto const value = [&]() -> std::string const* {
            if (i + 1 >= args.size()) {
                error = a + " needs a value";
                return nullptr;
            }
            return &args[++i];
        };
        if (a == "--user") {
            o.where = scope::user;
        } else if (a == "--system") {
            o.where = scope::system;
        } else if (a == "--json" && o.command == "doctor") {
            o.json = true;
        } else if (a == "--browser" && o.command == "install") {
            auto const* v = value();
            if (v == nullptr) {
                return false;
            }
            o.browsers.push_back(*v);
        } else if (a == "--root" || (a == "--host-path" && o.command == "install")) {
            auto const* v = value();
            if (v == nullptr) {
                return false;
            }
            if (!fs::path(*v).is_absolute()) {
                error = a + " must be an absolute path";
                return false;
            }
            (a == "--root" ? o.root : o.host_path) = *v;
        } else {
            error = "unexpected argument " + a;
            return false;
        }
    }
    return true;
}

int print_result(install_result const& r, scope where) {
    for (auto const& line : r.done) {
        std::cerr << line << "\n";
    }
    for (auto const& line : r.errors) {
        std::cerr << "sluice-host: " << line << "\n";
    }
    if (!r.ok() && where == scope::system && ::geteuid() != 0) {
        std::cerr << "sluice-host: system folders belong to root: run it with sudo\n";
    }
    return r.ok() ? 0 : 1;
}

} // namespace

bool is_install_command(std::vector<std::string> const& args) {
    return !args.empty() && (args[0] == "install" || args[0] == "uninstall" || args[0] == "doctor");
}

int run_install_command(std::vector<std::string> const& args) {
    options o;
    std::string error;
    if (!parse(args, o, error)) {
        std::cerr << "sluice-host: " << error << "\n" << usage;
        return 2;
    }
    auto env = current_env();
    if (!o.root.empty()) {
        env.root = o.root;
    }
    if (!o.host_path.empty()) {
        env.host_binary = o.host_path;
    }
    if (o.where == scope::user && env.home.empty()) {
        std::cerr << "sluice-host: HOME is not set (or not absolute), so there is no user to install for\n";
        return 2;
    }
    auto reg = native_registry();
    if (o.command == "doctor") {
        auto const report = run_doctor(env, reg.get(), probe_host_binary);
        std::cerr << (o.json ? render_json(report).dump(2) + "\n" : render_text(report));
        return report.healthy() ? 0 : 1;
    }
    if (o.command == "uninstall") {
        return print_result(uninstall(env, o.where, reg.get()), o.where);
    }
    auto const wanted = select_browsers(env, o.where, o.browsers, error);
    if (!error.empty()) {
        std::cerr << "sluice-host: " << error << "\n";
        return 2;
    }
    if (wanted.empty()) {
        std::cerr << "sluice-host: no supported browser found for this user; name one with --browser "
                     "(or --browser all)\n";
        return 1;
    }
    return print_result(install(env, o.where, wanted, reg.get()), o.where);
}

} // namespace sluice::install
