#pragma once

namespace sluice::base {

// Keeps the owner's heap from holding on to memory it has freed. Call once, before any thread starts.
//
// glibc gives each thread that allocates an arena of its own (up to eight per core), and after a large block
// is freed it raises the size at which blocks are mapped on their own, so that later large blocks
// (libtorrent's disk buffers, decrypted runs) come from the arenas and stay there after they are freed.
// Streaming 1 GiB at full speed, the owner's anonymous memory then ended anywhere between 58 and 97 MiB; with
// two arenas, blocks of 256 KiB and more always mapped on their own, and free memory at the top of a heap
// given back from 512 KiB, 35-45 MiB in every run at the same speed (bench/stream_bench, part 4).
void limit_heap_growth();

} // namespace sluice::base
