// metrics_snapshot: Prometheus text for one snapshot of the broker.
#include "broker/metrics_snapshot.hpp"

#include <cstdio>

#include "patterns/protocol.hpp"
#include "patterns/version.hpp"

namespace zchat::broker {
namespace {

// One family: its HELP and TYPE lines; the caller appends the samples.
void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view series, std::uint64_t value) {
    out.append(series).append(" ").append(std::to_string(value)).append("\n");
}

void one(std::string& out, std::string_view name, std::string_view type, std::string_view help,
         std::uint64_t value) {
    family(out, name, type, help);
    sample(out, name, value);
}

}  // namespace

std::string render_prometheus(const MetricsSnapshot& s) {
    std::string out;
    out.reserve(4096);
    family(out, "zchat_build_info", "gauge",
           "Always 1; the labels give the zchat version and the protocol version it speaks.");
    sample(out,
           "zchat_build_info{version=\"" + std::string(project_version) + "\",protocol=\"" +
               std::to_string(+protocol::version) + "\"}",
           1);
    one(out, "zchat_broker_clients_online", "gauge",
        "Clients in the lobby now (registered, subscribed and announced).", s.online);
    one(out, "zchat_broker_registrations_total", "counter",
        "Registrations accepted (HELLO answered with WELCOME), a client's re-registration after "
        "a reconnect included.",
        s.stats.registered);
    one(out, "zchat_broker_lobby_messages_published_total", "counter",
        "Lobby texts published (SAY accepted); notices and heartbeats are not counted.",
        s.stats.published);
    one(out, "zchat_broker_room_messages_published_total", "counter",
        "Room texts published (SAY_ROOM accepted), all rooms together.", s.stats.room_published);
    one(out, "zchat_broker_lobby_deliveries_total", "counter",
        "Lobby texts published times the clients online when each was published: what the "
        "fan-out was asked to deliver, not frames counted on the wire (a subscriber over "
        "--lobby-hwm misses some).",
        s.stats.deliveries);
    one(out, "zchat_broker_room_deliveries_total", "counter",
        "Room texts published times the room's members when each was published.",
        s.stats.room_deliveries);
    family(out, "zchat_broker_tickets_total", "counter",
           "Ticket subscriptions from clients' SUBs: applied; deferred because other "
           "subscriptions were pending behind them (the client asks again); ignored (no ticket "
           "of a registered client).");
    sample(out, "zchat_broker_tickets_total{outcome=\"applied\"}", s.tickets.applied);
    sample(out, "zchat_broker_tickets_total{outcome=\"deferred\"}", s.tickets.deferred);
    sample(out, "zchat_broker_tickets_total{outcome=\"ignored\"}", s.tickets.ignored);
    family(out, "zchat_broker_refusals_total", "counter",
           "Requests answered with ERROR, by the code's name in PROTOCOL.md.");
    for (const auto& [code, name] : protocol::error_code_names)
        sample(out, "zchat_broker_refusals_total{code=\"" + std::string(name) + "\"}",
               s.stats.refused_by_code[static_cast<std::size_t>(code)]);
    one(out, "zchat_broker_rate_limited_total", "counter",
        "Requests refused for being over a token bucket (codes rate_limited and busy).",
        s.stats.rate_limited);
    one(out, "zchat_broker_unroutable_replies_total", "counter",
        "Replies dropped because their client had gone or its queue was full.", s.stats.unroutable);
    one(out, "zchat_broker_history_messages", "gauge",
        "Lobby messages held for replay to newcomers (at most --history).", s.history);
    one(out, "process_resident_memory_bytes", "gauge", "Resident memory of the broker process.",
        s.resident_bytes);
    one(out, "process_open_fds", "gauge", "Open file descriptors of the broker process.",
        s.open_fds);
    family(out, "zchat_broker_uptime_seconds", "gauge", "Seconds since the broker started.");
    char uptime[32];
    std::snprintf(uptime, sizeof uptime, "%.3f", s.uptime_seconds);
    out.append("zchat_broker_uptime_seconds ").append(uptime).append("\n");
    return out;
}

}  // namespace zchat::broker
