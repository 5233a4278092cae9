#include "pg_cluster.hpp"

#include <boost/process/args.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/system.hpp>

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <grp.h>
#include <initializer_list>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <sys/file.h>
#include <sys/prctl.h>
#include <thread>
#include <unistd.h>

namespace sluice::testing {

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr char const* superuser = "sluice";

// The account the server runs as: the caller's own, or `postgres` when the caller is root.
struct run_as {
    bool switch_user = false;
    uid_t uid = 0;
    gid_t gid = 0;
};

run_as server_account() {
    if (::geteuid() != 0) {
        return {};
    }
    auto const* pw = ::getpwnam("postgres");
    if (!pw) {
        throw std::runtime_error("running as root needs the postgres user (Debian's postgresql package)");
    }
    return {true, pw->pw_uid, pw->pw_gid};
}

// Runs in the child between fork and exec: only async-signal-safe calls.
auto become(run_as account) {
    return bp::extend::on_exec_setup = [account](auto&) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (account.switch_user) {
            ::setgroups(0, nullptr);
            if (::setgid(account.gid) != 0 || ::setuid(account.uid) != 0) {
                ::_exit(126);
            }
        }
    };
}

fs::path program(std::string const& name) {
    auto const dir = postgresql_bin_dir();
    if (dir.empty()) {
        throw std::runtime_error("PostgreSQL is not installed (installer/setup-deps.sh installs postgresql)");
    }
    return dir / name;
}

int run(fs::path const& exe, std::vector<std::string> const& args, fs::path const& log, run_as account) {
    return bp::system(bp::exe = exe.string(), bp::args = args,
                      bp::std_in<bp::null, (bp::std_out & bp::std_err)> log.string(), become(account));
}

} // namespace

fs::path postgresql_bin_dir() {
    fs::path best;
    std::error_code ec;
    for (auto const& version : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        auto const bin = version.path() / "bin";
        if (fs::exists(bin / "postgres") &&
            (best.empty() || std::stoi(version.path().filename().string()) >
                                 std::stoi(best.parent_path().filename().string()))) {
            best = bin;
        }
    }
    return best;
}

namespace {

// initdb takes over a second; a copy of a cluster it made, a tenth of that. The first cluster of a machine
// (per PostgreSQL version and user) is made by initdb, under a lock, and kept for the next ones to copy.
fs::path cluster_template(fs::path const& exe_dir, run_as account) {
    auto const root =
        fs::temp_directory_path() / ("sluice-pg-template-" + exe_dir.parent_path().filename().string() + "-" +
                                     std::to_string(::geteuid()));
    auto const data = root / "data";
    int const lock = ::open((root.string() + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
        throw std::runtime_error("cannot lock " + root.string() + ".lock");
    }
    std::error_code ec;
    if (!fs::exists(data / "PG_VERSION", ec)) {
        fs::remove_all(root, ec);
        fs::create_directories(root);
        if (account.switch_user && ::chown(root.c_str(), account.uid, account.gid) != 0) {
            ::close(lock);
            throw std::runtime_error("cannot give " + root.string() + " to the postgres user");
        }
        auto const made = root / "making";
        if (run(exe_dir / "initdb",
                {"-D", made.string(), "-U", superuser, "-A", "trust", "-E", "UTF8", "--locale=C",
                 "--no-sync"},
                root / "initdb.log", account) != 0) {
            ::close(lock);
            throw std::runtime_error("initdb failed; see " + (root / "initdb.log").string());
        }
        fs::rename(made, data);
    }
    ::close(lock);
    return data;
}

bool make_database(fs::path const& socket_dir, std::string const& name, fs::path const& log) {
    return run(program("createdb"),
               {"-h", socket_dir.string(), "-U", superuser, "-T", "template0", "-E", "UTF8", "--locale=C",
                name},
               log, {}) == 0;
}

std::string database_url(fs::path const& socket_dir, std::string const& database) {
    return "postgresql:///" + database + "?host=" + socket_dir.string() + "&user=" + superuser;
}

// The files' text, each under its name, the last 4000 characters of it.
std::string read_logs(std::initializer_list<fs::path> files) {
    std::string out;
    for (auto const& file : files) {
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        if (!text.str().empty()) {
            out += "--- " + file.filename().string() + " ---\n" + text.str();
        }
    }
    return out.size() > 4000 ? out.substr(out.size() - 4000) : out;
}

} // namespace

pg_cluster::pg_cluster(fs::path folder, bool durable) : folder_(std::move(folder)), durable_(durable) {
    auto const account = server_account();
    if (account.switch_user && ::chown(folder_.c_str(), account.uid, account.gid) != 0) {
        throw std::runtime_error("cannot give " + folder_.string() + " to the postgres user");
    }
    auto const data = folder_ / "data";
    auto const from = cluster_template(program("initdb").parent_path(), account);
    if (run("/bin/cp", {"-a", from.string(), data.string()}, folder_ / "initdb.log", account) != 0) {
        throw std::runtime_error("copying the cluster failed: " + log());
    }
    start();
}

void pg_cluster::start() {
    auto const account = server_account();
    auto const data = folder_ / "data";
    std::vector<std::string> args{"-D", data.string(),       "-k", folder_.string(),
                                  "-c", "listen_addresses=", "-c", "max_connections=300"};
    if (!durable_) {
        for (auto const* setting : {"fsync=off", "synchronous_commit=off", "full_page_writes=off"}) {
            args.insert(args.end(), {"-c", setting});
        }
    }
    server_ = bp::child(bp::exe = program("postgres").string(), bp::args = args,
                        bp::std_in<bp::null, (bp::std_out & bp::std_err)>(folder_ / "server.log").string(),
                        become(account));
    auto const deadline = std::chrono::steady_clock::now() + 30s;
    while (run(program("pg_isready"), {"-q", "-h", folder_.string(), "-U", superuser}, folder_ / "ready.log",
               {}) != 0) {
        if (!server_.running() || std::chrono::steady_clock::now() > deadline) {
            throw std::runtime_error("PostgreSQL did not start: " + log());
        }
        std::this_thread::sleep_for(50ms);
    }
}

pg_cluster::~pg_cluster() {
    stop();
}

void pg_cluster::stop() {
    if (server_.valid() && server_.running()) {
        ::kill(server_.id(), SIGINT); // a fast shutdown: sessions ended, nothing left to recover
        std::error_code ec;
        if (!server_.wait_for(10s, ec)) {
            server_.terminate(ec);
        }
    }
}

std::string pg_cluster::create_database(std::string const& name) const {
    if (!make_database(folder_, name, folder_ / "createdb.log")) {
        throw std::runtime_error("createdb " + name + " failed: " + log());
    }
    return url(name);
}

std::string pg_cluster::url(std::string const& database) const {
    return database_url(folder_, database);
}

std::string pg_cluster::log() const {
    return read_logs({folder_ / "initdb.log", folder_ / "server.log", folder_ / "createdb.log"});
}

pg_test_database::pg_test_database(fs::path folder) : folder_(std::move(folder)) {
    auto const* shared = std::getenv("SLUICE_TEST_PG_SOCKET_DIR");
    if (!shared || !*shared) {
        own_.emplace(folder_);
        name_ = "gate";
        url_ = own_->create_database(name_);
        return;
    }
    shared_ = shared;
    // Unique among the tests that run at once, and among those of the run that died before dropping theirs.
    static int made = 0;
    name_ = "test_" + std::to_string(::getpid()) + "_" + std::to_string(++made) + "_" +
            std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    if (!make_database(shared_, name_, folder_ / "createdb.log")) {
        throw std::runtime_error("createdb " + name_ + " on the shared server failed: " + log());
    }
    url_ = database_url(shared_, name_);
}

pg_test_database::~pg_test_database() {
    if (shared_.empty()) {
        return;
    }
    // --force: a connection the test left open does not keep the database. One left behind costs only room
    // until the run's server is removed.
    try {
        run(program("dropdb"), {"-h", shared_.string(), "-U", superuser, "--force", name_}, "/dev/null", {});
    } catch (std::exception const&) {
    }
}

std::string pg_test_database::log() const {
    if (own_) {
        return own_->log();
    }
    return read_logs({shared_ / "server.log", folder_ / "createdb.log"});
}

} // namespace sluice::testing
