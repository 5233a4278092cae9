#include "support/progress.hpp"

#include <cstdarg>

namespace sluice::bench {

namespace {

std::FILE* stream = stdout;

} // namespace

void progress_to_stderr() {
    stream = stderr;
}

std::FILE* progress_stream() {
    return stream;
}

void say(char const* format, ...) {
    va_list args;
    va_start(args, format);
    std::vfprintf(stream, format, args);
    va_end(args);
    std::fflush(stream);
}

} // namespace sluice::bench
