#include "support/files.hpp"

#include "support/bench_main.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sluice::bench {

temp_dir::temp_dir(std::string_view prefix) {
    auto pattern = (fs::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw bench_error("cannot create a temporary directory: " + std::string(std::strerror(errno)));
    }
    root_ = pattern;
}

temp_dir::~temp_dir() {
    std::error_code ec;
    fs::remove_all(root_, ec);
}

std::string read_text(fs::path const& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_text(fs::path const& file, std::string_view text) {
    if (file.has_parent_path()) {
        fs::create_directories(file.parent_path());
    }
    std::ofstream f(file, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f.flush()) {
        throw bench_error("cannot write " + file.string());
    }
}

std::string tail_of_file(fs::path const& file, std::size_t bytes) {
    auto const s = read_text(file);
    return s.size() > bytes ? "..." + s.substr(s.size() - bytes) : s;
}

std::vector<std::string> read_nul_separated(fs::path const& file) {
    std::ifstream in(file, std::ios::binary);
    std::vector<std::string> items;
    std::string item;
    while (std::getline(in, item, '\0')) {
        items.push_back(item);
    }
    return items;
}

} // namespace sluice::bench
