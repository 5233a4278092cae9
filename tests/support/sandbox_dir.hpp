#pragma once

#include <filesystem>
#include <stdlib.h>
#include <string>

namespace sluice::testing {

// A fresh directory under /tmp for one test, removed with everything in it when the test ends.
// Short paths on purpose: a Unix socket path must fit in 108 bytes.
class sandbox_dir {
public:
    sandbox_dir() {
        std::string templ = "/tmp/sluice-test-XXXXXX";
        if (::mkdtemp(templ.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = templ;
    }
    ~sandbox_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    sandbox_dir(sandbox_dir const&) = delete;
    sandbox_dir& operator=(sandbox_dir const&) = delete;

    std::filesystem::path const& path() const { return path_; }
    std::filesystem::path operator/(std::string const& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

} // namespace sluice::testing
