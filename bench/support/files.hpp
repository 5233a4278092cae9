// Files and folders of a run: temporary folders, whole small files, the tail of a log.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::bench {

namespace fs = std::filesystem;

// A fresh directory under the system's temporary folder ($TMPDIR, else /tmp), removed with everything in it
// on destruction.
class temp_dir {
public:
    explicit temp_dir(std::string_view prefix);
    temp_dir(temp_dir const&) = delete;
    temp_dir& operator=(temp_dir const&) = delete;
    ~temp_dir();

    fs::path const& path() const { return root_; }
    fs::path operator/(fs::path const& rel) const { return root_ / rel; }

private:
    fs::path root_;
};

// The whole file; "" when it cannot be read.
std::string read_text(fs::path const& file);
// Replaces the file (its folder is made if needed); a bench_error when it cannot be written.
void write_text(fs::path const& file, std::string_view text);
// At most the last `bytes` of the file, for a failure report.
std::string tail_of_file(fs::path const& file, std::size_t bytes);
// The NUL-separated items of a /proc file such as cmdline or environ.
std::vector<std::string> read_nul_separated(fs::path const& file);

} // namespace sluice::bench
