#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::gate {

// Landing-page views, counted the way privacy-first analytics count them: no cookie, no address kept. A
// visitor is told apart within one day by a hash of that day's salt, the bundle, the client's address and
// its User-Agent; the salt is random, kept for its day only and deleted with that day's hashes once the day
// is over, so no hash can be tied to a person or to the same visitor on another day. A returning visitor is
// one whose page remembers (in its own localStorage, not a cookie) a visit on an earlier day.

// Whole days since 1970-01-01, UTC.
std::int64_t day_of(std::int64_t unix_seconds);
// "YYYY-MM-DD" of such a day.
std::string day_text(std::int64_t day);

// A fresh day's salt: 32 random bytes, as hex.
std::string new_view_salt();
// The visitor's hash for one day and bundle (hex, 128 bits); nothing else of the request is kept.
std::string visitor_hash(std::string_view salt, std::string_view bundle_id, std::string_view address,
                         std::string_view user_agent);

// Whether a request is a robot's or a prefetch, by the usual signals: no User-Agent, a User-Agent that names
// a crawler, a library or a headless browser, or a Purpose/Sec-Purpose of "prefetch". Such views are not
// counted.
bool is_robot(std::string_view user_agent, std::string_view purpose);

// The site a page's referrer names: its host in lower case without "www." or port, "" for none, for
// anything that is not an http(s) URL, and for `own_host` (the gate's own pages).
std::string referrer_site(std::string_view referrer, std::string_view own_host);

} // namespace sluice::gate
