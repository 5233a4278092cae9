#include "sluice-gate/checkout_pages.hpp"

namespace sluice::gate {

std::string public_link(std::string_view public_url, std::string_view path) {
    std::string base(public_url.empty() ? std::string_view("http://127.0.0.1/") : public_url);
    if (!base.ends_with('/')) {
        base.push_back('/');
    }
    return base + std::string(path);
}

std::string checkout_return_url(std::string_view public_url, bool done) {
    return public_link(public_url, done ? "checkout/done" : "checkout/cancelled");
}

gate_response redirect_to(std::string const& url) {
    gate_response res;
    res.status = 303;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "See " + url + "\n";
    res.headers.emplace_back("Location", url);
    return res;
}

gate_response checkout_return_page(bool done) {
    gate_response res;
    res.content_type = "text/html; charset=utf-8";
    auto const [title, text] =
        done ? std::pair{"Thank you",
                         "The payment provider has it. You can close this tab: Sluice follows your "
                         "payment or pledge by itself and tells you when it is settled."}
             : std::pair{"Nothing was paid",
                         "You left the payment page: nothing was charged. You can close this "
                         "tab and try again from the bundle's card."};
    res.body = std::string("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                           "<meta name=\"viewport\" content=\"width=device-width\"><title>") +
               title + "</title></head>\n<body><main><h1>" + title + "</h1><p>" + text +
               "</p></main></body></html>\n";
    res.headers.emplace_back("Content-Security-Policy", "default-src 'none'");
    return res;
}

} // namespace sluice::gate
