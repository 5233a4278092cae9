#include "sluice-gate/secret_file.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace sluice::gate {

namespace {

constexpr std::size_t max_secret_file = 4096;

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

} // namespace

std::optional<std::string> read_secret_file(std::filesystem::path const& file, std::size_t min_length,
                                            std::string& error) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        error = file.string() + ": cannot be read";
        return std::nullopt;
    }
    std::string text(max_secret_file + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_secret_file) {
        error = file.string() + ": larger than " + std::to_string(max_secret_file) + " bytes";
        return std::nullopt;
    }
    auto const first = std::find_if_not(text.begin(), text.end(), is_blank);
    auto const last = std::find_if_not(text.rbegin(), std::make_reverse_iterator(first), is_blank).base();
    std::string secret(first, last);
    if (secret.size() < min_length) {
        error = file.string() + ": the secret must be at least " + std::to_string(min_length) + " characters";
        return std::nullopt;
    }
    if (!std::all_of(secret.begin(), secret.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
        error = file.string() + ": the secret must be visible ASCII characters only";
        return std::nullopt;
    }
    return secret;
}

} // namespace sluice::gate
