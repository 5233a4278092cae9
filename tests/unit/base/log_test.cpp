#include "base/log.hpp"
#include "sandbox_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace sluice::base {
namespace {

std::string read(std::filesystem::path const& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
}

TEST(Log, WritesLinesWithLevelAndRole) {
    testing::sandbox_dir dir;
    log::configure({.file = dir / "logs" / "host.log", .to_stderr = false, .role = "unit"});
    log::info("hello there");
    log::debug("not shown at info");
    auto const text = read(dir / "logs" / "host.log");
    EXPECT_NE(text.find("INFO [unit "), std::string::npos);
    EXPECT_NE(text.find("hello there"), std::string::npos);
    EXPECT_EQ(text.find("not shown"), std::string::npos);
    log::configure({.file = {}, .to_stderr = false});
}

TEST(Log, RotatesAndKeepsTheConfiguredNumberOfFiles) {
    testing::sandbox_dir dir;
    auto const file = dir / "host.log";
    log::configure({.file = file, .to_stderr = false, .max_file_bytes = 1000, .keep_files = 2});
    for (int i = 0; i < 100; ++i) {
        log::info("line " + std::to_string(i) + " " + std::string(50, 'x'));
    }
    log::configure({.file = {}, .to_stderr = false});
    EXPECT_LE(std::filesystem::file_size(file), 1000u);
    EXPECT_TRUE(std::filesystem::exists(dir / "host.log.1"));
    EXPECT_TRUE(std::filesystem::exists(dir / "host.log.2"));
    EXPECT_FALSE(std::filesystem::exists(dir / "host.log.3"));
    EXPECT_NE(read(file).find("line 99"), std::string::npos);
}

} // namespace
} // namespace sluice::base
