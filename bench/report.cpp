// report: JSON line and human table of a run.
#include "bench/report.hpp"

#include <iomanip>
#include <optional>
#include <sstream>
#include <string_view>

namespace zchat::bench {
namespace {

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;  // never produced; keep the line valid
        out += c;
    }
    return out + "\"";
}

std::string number(double v) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(4) << v;
    return s.str();
}

// One JSON object on one line, fields in the order they are added.
class JsonLine {
  public:
    JsonLine& raw(std::string_view key, const std::string& value) {
        out_ << (first_ ? "{" : ",") << '"' << key << "\":" << value;
        first_ = false;
        return *this;
    }
    JsonLine& text(std::string_view key, const std::string& value) {
        return raw(key, json_string(value));
    }
    JsonLine& count(std::string_view key, std::uint64_t value) {
        return raw(key, std::to_string(value));
    }
    JsonLine& real(std::string_view key, double value) { return raw(key, number(value)); }
    std::string str() const { return out_.str() + "}"; }

  private:
    std::ostringstream out_;
    bool first_ = true;
};

std::string rss_or_null(const std::optional<ProcessUsage>& u) {
    return u ? std::to_string(u->rss_kb) : "null";
}

}  // namespace

const char* workload_name(Workload w) {
    switch (w) {
        case Workload::w1:
            return "W1";
        case Workload::w2:
            return "W2";
        case Workload::w3:
            return "W3";
        case Workload::w4:
            return "W4";
        case Workload::w5:
            return "W5";
    }
    return "?";
}

const char* target_name(Target t) {
    switch (t) {
        case Target::broker:
            return "broker";
        case Target::baseline:
            return "baseline";
        case Target::redis:
            return "redis";
    }
    return "?";
}

void print_json(std::ostream& out, const Report& r) {
    JsonLine j;
    j.text("workload", workload_name(r.workload)).text("target", target_name(r.target));
    j.text("variant", r.variant);
    j.count("clients", r.clients).count("threads", r.threads).count("io_threads", r.io_threads);
    j.text("wire", r.raw_wire ? "raw" : "zmq");
    j.count("sent", r.sent).count("refused", r.refused).count("unsent", r.unsent);
    j.count("expected", r.expected);
    j.count("received", r.received)
        .real("deliveries_per_s", r.deliveries_per_s)
        .real("wall_s", r.wall_s);
    j.count("samples", r.latency.count)
        .real("p50_ms", r.latency.p50_ms)
        .real("p99_ms", r.latency.p99_ms);
    j.real("p999_ms", r.latency.p999_ms).real("max_ms", r.latency.max_ms);
    j.real("send_lag_p99_ms", r.send_lag.p99_ms).real("send_lag_max_ms", r.send_lag.max_ms);
    j.count("lost", r.lost())
        .count("gaps", r.gaps)
        .count("missing", r.missing)
        .count("errors", r.errors);
    j.real("join_s", r.join_s);
    j.raw("broker_rss_kb", rss_or_null(r.server_after_join))
        .raw("broker_rss_end_kb", rss_or_null(r.server_at_end));
    j.raw("broker_cpu_s", r.server_cpu_s ? number(*r.server_cpu_s) : "null");
    j.raw("broker_load_cpu_s", r.server_load_cpu_s ? number(*r.server_load_cpu_s) : "null");
    j.text("error", r.error);
    out << j.str() << std::endl;
}

void print_table(std::ostream& out, const Report& r) {
    const bool w4 = r.workload == Workload::w4;
    out << "chat-load " << workload_name(r.workload) << " against " << target_name(r.target) << ", "
        << r.clients << " clients on " << r.threads << " threads\n"
        << "  join                 " << number(r.join_s) << " s" << (w4 ? " (register + fork)" : "")
        << "\n"
        << "  sent / refused       " << r.sent << " / " << r.refused << "  (unsent " << r.unsent
        << ")\n"
        << "  received / expected  " << r.received << " / " << r.expected << "  (lost " << r.lost()
        << ", gaps " << r.gaps << ", errors " << r.errors << ")\n"
        << "  " << (w4 ? "one-way msgs/s       " : "deliveries/s         ")
        << number(r.deliveries_per_s) << "  over " << number(r.wall_s) << " s\n"
        << "  " << (w4 ? "round trip ms        " : "latency ms           ") << "p50 "
        << number(r.latency.p50_ms) << "  p99 " << number(r.latency.p99_ms) << "  p99.9 "
        << number(r.latency.p999_ms) << "  max " << number(r.latency.max_ms) << "  ("
        << r.latency.count << " samples)\n";
    if (r.send_lag.count)
        out << "  send lag ms          p99 " << number(r.send_lag.p99_ms) << "  max "
            << number(r.send_lag.max_ms) << "\n";
    if (r.server_after_join || r.server_at_end)
        out << "  server RSS kB        " << rss_or_null(r.server_after_join) << " after join, "
            << rss_or_null(r.server_at_end) << " at end\n";
    if (r.server_cpu_s) out << "  server CPU           " << number(*r.server_cpu_s) << " s\n";
    if (r.server_load_cpu_s)
        out << "  of it after the join " << number(*r.server_load_cpu_s) << " s\n";
    if (!r.error.empty()) out << "  ERROR: " << r.error << "\n";
    out.flush();
}

}  // namespace zchat::bench
