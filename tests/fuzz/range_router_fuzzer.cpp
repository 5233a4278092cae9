// libFuzzer entry point: the stream server's request rules, fed what a hostile page or local program can
// put in a request line and headers: the Range header, the target, Host and Origin.

#include "stream/range_parser.hpp"
#include "stream/stream_router.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace sluice::stream;
    std::string_view const input(reinterpret_cast<char const*>(data), size);

    // The whole input as a Range header, against a few representation sizes.
    for (std::uint64_t const length : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{200},
                                       std::uint64_t{1} << 40, ~std::uint64_t{0}}) {
        auto const d = decide_range(input, length);
        if (d.outcome == range_outcome::partial && (d.first > d.last || d.last >= length)) {
            std::abort(); // a partial answer must lie inside the file
        }
    }

    // Split at the first two NULs into target, Host and Origin.
    auto const a = input.find('\0');
    auto const target = input.substr(0, a);
    auto rest = a == std::string_view::npos ? std::string_view{} : input.substr(a + 1);
    auto const b = rest.find('\0');
    auto const host = rest.substr(0, b);
    auto const origin = b == std::string_view::npos ? std::string_view{} : rest.substr(b + 1);
    static stream_router const router("0123456789abcdef0123456789abcdef", 8123);
    for (std::string_view const method : {"GET", "OPTIONS"}) {
        auto const d = router.route({method, target, host, origin});
        if (d.status == 200 && (!d.target || !router.host_allowed(host))) {
            std::abort(); // served only with a target and a good Host
        }
        if (d.allow_origin && !router.origin_allowed(*d.allow_origin)) {
            std::abort();
        }
    }
    return 0;
}
