// Where a benchmark says what it is doing and what each run measured.
#pragma once

#include <cstdio>

namespace sluice::bench {

// Progress goes to stdout beside the tables, and to stderr when stdout carries one JSON object.
void progress_to_stderr();
std::FILE* progress_stream();

// printf to the progress stream, flushed at once: a long run shows each figure as it comes.
[[gnu::format(printf, 1, 2)]] void say(char const* format, ...);

} // namespace sluice::bench
