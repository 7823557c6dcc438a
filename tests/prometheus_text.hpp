// prometheus_text: a strict reader of the Prometheus text exposition format
// 0.0.4, for tests. It refuses what promtool refuses in the part of the format
// zchat writes: every family with one HELP and one TYPE before its samples,
// counters named *_total, label values escaped only as \\ \" \n, numeric
// values, no empty line, a newline after the last.
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace zchat::test {

struct PrometheusText {
    std::map<std::string, double> samples;     // series as written, labels included
    std::map<std::string, std::string> types;  // family name -> counter, gauge, ...
    std::string error;                         // empty when the whole text is valid

    // The value of SERIES, e.g. `zchat_broker_refusals_total{code="busy"}`.
    std::optional<double> operator[](const std::string& series) const {
        const auto it = samples.find(series);
        return it == samples.end() ? std::nullopt : std::optional<double>(it->second);
    }
};

namespace prometheus_detail {

inline bool name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
inline bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

// Takes a metric name (or, with COLONS false, a label name) off the front of TEXT.
inline std::string_view take_name(std::string_view& text, bool colons = true) {
    std::size_t n = 0;
    while (n < text.size() && (n == 0 ? name_start(text[n]) : name_char(text[n])) &&
           (colons || text[n] != ':'))
        ++n;
    const auto name = text.substr(0, n);
    text.remove_prefix(n);
    return name;
}

// `{a="x",b="y"}` off the front of TEXT; false if malformed.
inline bool take_labels(std::string_view& text) {
    if (text.empty() || text.front() != '{') return true;
    text.remove_prefix(1);
    std::set<std::string_view> seen;
    while (!text.empty() && text.front() != '}') {
        const auto label = take_name(text, false);
        if (label.empty() || label.starts_with("__") || !seen.insert(label).second) return false;
        if (!text.starts_with("=\"")) return false;
        text.remove_prefix(2);
        for (;;) {
            if (text.empty() || text.front() == '\n') return false;
            const char c = text.front();
            text.remove_prefix(1);
            if (c == '"') break;
            if (c == '\\') {
                if (text.empty() ||
                    (text.front() != '\\' && text.front() != '"' && text.front() != 'n'))
                    return false;
                text.remove_prefix(1);
            }
        }
        if (text.starts_with(",")) text.remove_prefix(1);
    }
    if (text.empty()) return false;
    text.remove_prefix(1);
    return true;
}

inline std::optional<double> parse_value(std::string_view text) {
    if (text == "NaN") return NAN;
    if (text == "+Inf") return INFINITY;
    if (text == "-Inf") return -INFINITY;
    if (text.empty() || text.find_first_not_of("0123456789.eE+-") != std::string_view::npos)
        return std::nullopt;
    const std::string copy(text);
    char* end = nullptr;
    const double v = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size()) return std::nullopt;
    return v;
}

}  // namespace prometheus_detail

inline PrometheusText parse_prometheus(std::string_view text) {
    using namespace prometheus_detail;
    PrometheusText out;
    std::set<std::string> helped, families_with_samples;
    int number = 0;
    const auto fail = [&](const std::string& why, std::string_view line) {
        out.error = "line " + std::to_string(number) + ": " + why + ": " + std::string(line);
        return out;
    };
    if (text.empty() || text.back() != '\n') return fail("no newline at the end", "");
    while (!text.empty()) {
        ++number;
        const auto eol = text.find('\n');
        const std::string_view line = text.substr(0, eol);
        text.remove_prefix(eol + 1);
        if (line.empty()) return fail("empty line", line);
        if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
            const bool help = line[2] == 'H';
            std::string_view rest = line.substr(7);
            const std::string name(take_name(rest));
            if (name.empty() || !rest.starts_with(" ")) return fail("bad family name", line);
            rest.remove_prefix(1);
            if (families_with_samples.count(name)) return fail("HELP or TYPE after samples", line);
            if (help) {
                if (!helped.insert(name).second) return fail("second HELP", line);
                continue;
            }
            static const std::set<std::string_view> kinds{"counter", "gauge", "histogram",
                                                          "summary", "untyped"};
            if (!kinds.count(rest)) return fail("unknown type", line);
            if (rest == "counter" && !name.ends_with("_total"))
                return fail("counter not named *_total", line);
            if (!out.types.emplace(name, std::string(rest)).second)
                return fail("second TYPE", line);
            continue;
        }
        if (line.starts_with("#")) continue;
        std::string_view rest = line;
        const std::string name(take_name(rest));
        if (name.empty()) return fail("bad metric name", line);
        if (!take_labels(rest)) return fail("bad labels", line);
        const std::string series(line.substr(0, line.size() - rest.size()));
        if (!rest.starts_with(" ")) return fail("no value", line);
        rest.remove_prefix(1);
        if (const auto space = rest.find(' '); space != std::string_view::npos) {
            const auto stamp = rest.substr(space + 1);
            if (stamp.empty() || stamp.find_first_not_of("-0123456789") != std::string_view::npos)
                return fail("bad timestamp", line);
            rest = rest.substr(0, space);
        }
        const auto value = parse_value(rest);
        if (!value) return fail("bad value", line);
        if (!out.types.count(name)) return fail("sample without TYPE", line);
        if (!helped.count(name)) return fail("sample without HELP", line);
        if (!out.samples.emplace(series, *value).second) return fail("series repeated", line);
        families_with_samples.insert(name);
    }
    if (out.samples.empty()) return fail("no samples", "");
    return out;
}

}  // namespace zchat::test
