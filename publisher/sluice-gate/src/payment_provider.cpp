#include "sluice-gate/payment_provider.hpp"

#include <algorithm>

namespace sluice::gate {

bool hosted_checkout::is_valid_template(std::string_view url_template) {
    // The host opens this URL in a browser: no spaces or control characters that could make it another one.
    return (url_template.starts_with("https://") || url_template.starts_with("http://")) &&
           url_template.find(placeholder) != std::string_view::npos && url_template.size() <= 1024 &&
           std::all_of(url_template.begin(), url_template.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::string hosted_checkout::checkout_url(std::string_view payment_id) const {
    std::string out;
    std::string_view rest = url_template_;
    // Every occurrence: a template may carry the id twice (a return URL among its parameters).
    for (auto at = rest.find(placeholder); at != std::string_view::npos; at = rest.find(placeholder)) {
        out.append(rest.substr(0, at));
        out.append(payment_id);
        rest.remove_prefix(at + placeholder.size());
    }
    out.append(rest);
    return out;
}

} // namespace sluice::gate
