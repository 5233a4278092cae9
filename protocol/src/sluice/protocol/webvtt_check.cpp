#include "webvtt_check.hpp"

#include "untrusted_json.hpp"

#include <algorithm>
#include <vector>

namespace sluice::protocol {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_space(char c) {
    return c == ' ' || c == '\t';
}

// A run of `min` to `max` digits, as a number.
std::optional<std::uint64_t> digits(std::string_view s, std::size_t min, std::size_t max) {
    if (s.size() < min || s.size() > max || !std::all_of(s.begin(), s.end(), is_digit)) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    for (char const c : s) {
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

// "[hh:]mm:ss.ttt" in milliseconds: hours of two digits or more, minutes and seconds of two and below 60.
std::optional<std::uint64_t> timestamp_ms(std::string_view t) {
    auto const dot = t.rfind('.');
    auto const seconds_at = t.rfind(':', dot);
    if (dot == std::string_view::npos || seconds_at == std::string_view::npos) {
        return std::nullopt;
    }
    auto const clock = t.substr(0, seconds_at);
    auto const minutes_at = clock.rfind(':');
    auto const ms = digits(t.substr(dot + 1), 3, 3);
    auto const seconds = digits(t.substr(seconds_at + 1, dot - seconds_at - 1), 2, 2);
    auto const minutes =
        digits(clock.substr(minutes_at == std::string_view::npos ? 0 : minutes_at + 1), 2, 2);
    auto const hours = minutes_at == std::string_view::npos ? std::optional<std::uint64_t>(0)
                                                            : digits(clock.substr(0, minutes_at), 2, 10);
    if (!ms || !seconds || !minutes || !hours || *minutes > 59 || *seconds > 59) {
        return std::nullopt;
    }
    return ((*hours * 60 + *minutes) * 60 + *seconds) * 1000 + *ms;
}

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) {
            ++i;
        }
        auto const start = i;
        while (i < line.size() && !is_space(line[i])) {
            ++i;
        }
        if (i > start) {
            out.push_back(line.substr(start, i - start));
        }
    }
    return out;
}

bool is_number(std::string_view s, bool percent) {
    if (percent) {
        if (s.empty() || s.back() != '%') {
            return false;
        }
        s.remove_suffix(1);
    } else if (!s.empty() && s.front() == '-') {
        s.remove_prefix(1);
    }
    auto const dot = s.find('.');
    auto const whole = s.substr(0, dot);
    auto const fraction = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    return !whole.empty() && whole.size() <= 6 && std::all_of(whole.begin(), whole.end(), is_digit) &&
           (dot == std::string_view::npos || (!fraction.empty() && fraction.size() <= 6 &&
                                              std::all_of(fraction.begin(), fraction.end(), is_digit)));
}

bool one_of(std::string_view s, std::initializer_list<std::string_view> choices) {
    return std::find(choices.begin(), choices.end(), s) != choices.end();
}

// A cue setting, "name:value", as WebVTT defines them (regions excepted: a track here has none).
bool good_setting(std::string_view setting) {
    auto const colon = setting.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        return false;
    }
    auto const name = setting.substr(0, colon);
    auto const value = setting.substr(colon + 1);
    auto const comma = value.find(',');
    auto const main = value.substr(0, comma);
    auto const extra = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    bool const has_extra = comma != std::string_view::npos;
    if (name == "vertical") {
        return one_of(value, {"rl", "lr"});
    }
    if (name == "line") {
        return (is_number(main, true) || is_number(main, false)) &&
               (!has_extra || one_of(extra, {"start", "center", "end"}));
    }
    if (name == "position") {
        return is_number(main, true) && (!has_extra || one_of(extra, {"line-left", "center", "line-right"}));
    }
    if (name == "size") {
        return is_number(value, true);
    }
    if (name == "align") {
        return one_of(value, {"start", "center", "end", "left", "right"});
    }
    return false;
}

bool is_class_name(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    });
}

// The problem with one line of cue text, or "": tags only of WebVTT's, closed in order, and '&' only in a
// character reference. `open` carries the tags still open from the cue's earlier lines.
std::string cue_text_problem(std::string_view line, std::vector<std::string>& open) {
    if (line.find("-->") != std::string_view::npos) {
        return "cue text may not hold \"-->\"";
    }
    if (line.size() > max_webvtt_line) {
        return "a line of cue text is longer than " + std::to_string(max_webvtt_line) + " bytes";
    }
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '&') {
            auto const end = line.find(';', i);
            auto const ref =
                end == std::string_view::npos ? std::string_view() : line.substr(i + 1, end - i - 1);
            bool const named = one_of(ref, {"amp", "lt", "gt", "lrm", "rlm", "nbsp"});
            bool const decimal = ref.size() >= 2 && ref.size() <= 8 && ref[0] == '#' &&
                                 std::all_of(ref.begin() + 1, ref.end(), is_digit);
            bool const hex = ref.size() >= 3 && ref.size() <= 8 && ref[0] == '#' &&
                             (ref[1] == 'x' || ref[1] == 'X') &&
                             std::all_of(ref.begin() + 2, ref.end(), [](char c) {
                                 return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                             });
            if (!named && !decimal && !hex) {
                return "an '&' that starts no character reference (write it as &amp;)";
            }
            i = end;
            continue;
        }
        if (line[i] != '<') {
            continue;
        }
        auto const end = line.find('>', i);
        if (end == std::string_view::npos) {
            return "a '<' that starts no tag (write it as &lt;)";
        }
        auto const tag = line.substr(i + 1, end - i - 1);
        i = end;
        if (!tag.empty() && is_digit(tag.front())) {
            if (!timestamp_ms(tag)) {
                return "a timestamp tag that is not [hh:]mm:ss.ttt";
            }
            continue;
        }
        if (!tag.empty() && tag.front() == '/') {
            auto const name = tag.substr(1);
            if (open.empty() || open.back() != name) {
                return "</" + std::string(name.substr(0, 16)) + "> closes no tag open here";
            }
            open.pop_back();
            continue;
        }
        auto const space = std::min(tag.find_first_of(" \t"), tag.size());
        auto const head = tag.substr(0, space);
        auto const annotation = tag.substr(std::min(space + 1, tag.size()));
        auto const dot = head.find('.');
        auto const name = head.substr(0, dot);
        if (!one_of(name, {"c", "i", "b", "u", "v", "lang", "ruby", "rt"})) {
            return "<" + std::string(name.substr(0, 16)) + "> is not a WebVTT tag";
        }
        if (dot != std::string_view::npos) {
            auto rest = head.substr(dot + 1);
            for (;;) {
                auto const next = rest.find('.');
                if (!is_class_name(rest.substr(0, next))) {
                    return "a class name of <" + std::string(name) + "> is not letters, digits, '-' or '_'";
                }
                if (next == std::string_view::npos) {
                    break;
                }
                rest.remove_prefix(next + 1);
            }
        }
        if ((name == "v" || name == "lang") && annotation.empty()) {
            return "<" + std::string(name) + "> needs " + (name == "v" ? "a voice's name" : "a language tag");
        }
        if (name != "v" && name != "lang" && !annotation.empty()) {
            return "<" + std::string(name) + "> takes no annotation";
        }
        if (open.size() >= 16) {
            return "tags nested more than 16 deep";
        }
        open.emplace_back(name);
    }
    return {};
}

} // namespace

std::optional<webvtt_problem> check_webvtt(std::string_view text, webvtt_summary* summary) {
    if (text.size() > max_webvtt_bytes) {
        return webvtt_problem{0,
                              "the track is larger than " + std::to_string(max_webvtt_bytes / 1024) + " KiB"};
    }
    if (!is_valid_utf8(text)) {
        return webvtt_problem{0, "the track is not UTF-8"};
    }
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }
    // Split into lines at CRLF, LF or CR, as WebVTT does.
    std::vector<std::string_view> lines;
    for (std::size_t i = 0; i <= text.size();) {
        auto const end = std::min(text.find_first_of("\r\n", i), text.size());
        lines.push_back(text.substr(i, end - i));
        if (end == text.size()) {
            break;
        }
        i = end + (text.compare(end, 2, "\r\n") == 0 ? 2 : 1);
    }
    for (std::size_t n = 0; n < lines.size(); ++n) {
        for (char const c : lines[n]) {
            if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == '\x7f') {
                return webvtt_problem{n + 1, "a control character"};
            }
        }
    }
    auto const& first = lines.front();
    if (first.substr(0, 6) != "WEBVTT" || (first.size() > 6 && !is_space(first[6]))) {
        return webvtt_problem{1, "a WebVTT track begins with the line \"WEBVTT\""};
    }
    // The header's other lines (kept by some tools: "Kind: captions") show nowhere; like NOTEs, they may hold
    // no markup, which nothing would check.
    if (first.find('<') != std::string_view::npos) {
        return webvtt_problem{1, "the header may not hold '<'"};
    }
    std::size_t n = 1;
    for (; n < lines.size() && !lines[n].empty(); ++n) {
        if (lines[n].find("-->") != std::string_view::npos) {
            return webvtt_problem{n + 1, "a cue needs an empty line after the header"};
        }
        if (lines[n].find('<') != std::string_view::npos) {
            return webvtt_problem{n + 1, "the header may not hold '<'"};
        }
    }
    std::size_t cues = 0;
    std::uint64_t last_start = 0;
    std::uint64_t last_end = 0;
    while (n < lines.size()) {
        if (lines[n].empty()) {
            ++n;
            continue;
        }
        auto const block_start = n;
        auto block_end = n;
        while (block_end < lines.size() && !lines[block_end].empty()) {
            ++block_end;
        }
        auto const head = lines[block_start];
        auto const keyword = head.substr(0, std::min(head.find_first_of(" \t"), head.size()));
        if (keyword == "NOTE") {
            for (auto i = block_start; i < block_end; ++i) {
                if (lines[i].find("-->") != std::string_view::npos) {
                    return webvtt_problem{i + 1, "a NOTE may not hold \"-->\""};
                }
                if (lines[i].find('<') != std::string_view::npos) {
                    return webvtt_problem{i + 1, "a NOTE may not hold '<'"};
                }
            }
            n = block_end;
            continue;
        }
        if (keyword == "STYLE" || keyword == "REGION") {
            return webvtt_problem{block_start + 1,
                                  std::string(keyword) + " blocks are not taken: a track here is text only"};
        }
        // A cue: its optional identifier, its timing line, its text.
        auto timing_at = block_start;
        if (head.find("-->") == std::string_view::npos) {
            timing_at = block_start + 1;
            if (timing_at >= block_end) {
                return webvtt_problem{block_start + 1, "a line that is neither a cue nor a NOTE"};
            }
        }
        auto const timing = words(lines[timing_at]);
        auto const start = timing.size() >= 3 ? timestamp_ms(timing[0]) : std::nullopt;
        auto const end = timing.size() >= 3 ? timestamp_ms(timing[2]) : std::nullopt;
        if (!start || !end || timing[1] != "-->") {
            return webvtt_problem{timing_at + 1, "a cue's timing is \"start --> end\", each [hh:]mm:ss.ttt"};
        }
        if (*end <= *start) {
            return webvtt_problem{timing_at + 1, "a cue ends before it starts"};
        }
        if (*start < last_start) {
            return webvtt_problem{timing_at + 1, "cues are in the order of their start"};
        }
        for (std::size_t s = 3; s < timing.size(); ++s) {
            if (!good_setting(timing[s])) {
                return webvtt_problem{timing_at + 1, "\"" + std::string(timing[s].substr(0, 32)) +
                                                         "\" is not a cue setting"};
            }
        }
        if (timing_at + 1 >= block_end) {
            return webvtt_problem{timing_at + 1, "a cue without text"};
        }
        std::vector<std::string> open;
        for (auto i = timing_at + 1; i < block_end; ++i) {
            if (auto problem = cue_text_problem(lines[i], open); !problem.empty()) {
                return webvtt_problem{i + 1, std::move(problem)};
            }
        }
        if (!open.empty()) {
            return webvtt_problem{block_end, "<" + open.back() + "> is not closed"};
        }
        if (++cues > max_webvtt_cues) {
            return webvtt_problem{timing_at + 1, "more than " + std::to_string(max_webvtt_cues) + " cues"};
        }
        last_start = *start;
        last_end = std::max(last_end, *end);
        n = block_end;
    }
    if (cues == 0) {
        return webvtt_problem{0, "the track has no cue"};
    }
    if (summary) {
        *summary = {cues, last_end};
    }
    return std::nullopt;
}

} // namespace sluice::protocol
