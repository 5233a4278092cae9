#pragma once

#include <boost/process/child.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace sluice::testing {

// A PostgreSQL server of Debian's `postgresql` package, made for one test run in a folder of its own: initdb,
// then `postgres` itself as a child (not pg_ctl, which would leave a daemon behind a crashed test), listening
// on a Unix socket in that folder and on no TCP port. PostgreSQL refuses to run as root: under root the
// folder is given to the `postgres` user and the server runs as it. `durable` keeps fsync and synchronous
// commits on (loads and benchmarks measure what a creator would run); off, a test's databases are quicker
// to make and the same to use. Stopped (a fast shutdown) and removed with the object.
class pg_cluster {
public:
    explicit pg_cluster(std::filesystem::path folder, bool durable = false);
    ~pg_cluster();
    pg_cluster(pg_cluster const&) = delete;
    pg_cluster& operator=(pg_cluster const&) = delete;

    // Stops the server (a fast shutdown: every connection is closed) and starts it again on the same data
    // and socket, as a database restarted under its clients is.
    void stop();
    void start();

    // A new empty database (C collation, UTF-8) and its connection URL, as `--db` takes it.
    std::string create_database(std::string const& name) const;
    std::string url(std::string const& database) const;
    std::filesystem::path const& socket_dir() const { return folder_; }
    // What the server wrote to its log, for a failing test's message.
    std::string log() const;

private:
    std::filesystem::path folder_;
    bool durable_;
    boost::process::child server_;
};

// A database of one test's own, dropped with the object: on the server the ctest run shares when the
// environment names its socket folder (SLUICE_TEST_PG_SOCKET_DIR, set by tests/CMakeLists.txt's fixture),
// else on a server of its own started in `folder` as pg_cluster does (a test run outside ctest). A test that
// stops or restarts its server, or needs it durable, makes a pg_cluster instead.
class pg_test_database {
public:
    explicit pg_test_database(std::filesystem::path folder);
    ~pg_test_database();
    pg_test_database(pg_test_database const&) = delete;
    pg_test_database& operator=(pg_test_database const&) = delete;

    // Its connection URL, as `--db` takes it.
    std::string const& url() const { return url_; }
    // The server's log (of every test on a shared one), for a failing test's message.
    std::string log() const;

private:
    std::filesystem::path folder_;
    std::filesystem::path shared_; // the shared server's socket folder, or empty
    std::optional<pg_cluster> own_;
    std::string name_;
    std::string url_;
};

// Where the PostgreSQL programs are (Debian keeps them in /usr/lib/postgresql/<version>/bin, off PATH): the
// newest version's folder, or an empty path.
std::filesystem::path postgresql_bin_dir();

} // namespace sluice::testing
