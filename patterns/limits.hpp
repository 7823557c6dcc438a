// limits: every size, rate and timing bound that broker and client agree on,
// stated once. The broker announces the ones a client must respect (text size
// and lines, rate, heartbeat) in WELCOME, and a client obeys what it was told,
// not these defaults; PROTOCOL.md's limits table is checked against this file.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace zchat::limits {

// Largest frame a rendezvous or private-session socket accepts (ZMQ_MAXMSGSIZE).
// libzmq closes a connection that sends a larger frame before we see it.
inline constexpr std::int64_t max_frame_bytes = 64 * 1024;
// Largest frame the lobby XPUB accepts. A ticket is 34 bytes, but libzmq
// applies the limit to the handshake too, and a CURVE client's INITIATE
// command (vouch, metadata) is over 256: below that no SUB could connect.
inline constexpr std::int64_t max_subscription_bytes = 1024;
// Largest chat text, lobby or private, and most lines in one message. Small
// on purpose: together with the lobby high-water mark it bounds what one
// reader that never reads can make the broker hold (see lobby_hwm).
inline constexpr std::size_t max_text_bytes = 4 * 1024;
inline constexpr std::size_t max_text_lines = 100;
// Names: 1..32 bytes, checked by the broker's registry.
inline constexpr std::size_t max_name_bytes = 32;
// Endpoints and tokens carried for forks.
inline constexpr std::size_t max_endpoint_bytes = 256;
inline constexpr std::size_t max_token_bytes = 64;
// Public keys for CURVE (32 bytes raw, 40 as Z85).
inline constexpr std::size_t max_key_bytes = 64;
// Names in one USER_LIST reply; more are summarised by the count field.
inline constexpr std::size_t max_listed_users = 1000;
// Deepest msgpack nesting the decoder accepts (messages are at most 2 deep).
inline constexpr std::size_t max_depth = 4;
// Secrets (subscription tickets, fork tokens): bits from the OS CSPRNG.
inline constexpr std::size_t secret_bits = 128;

// Flood control, per connection: sustained rate and burst of requests.
inline constexpr std::uint32_t default_rate_per_s = 100;
inline constexpr std::uint32_t default_burst = 500;
// What a HELLO costs in its connection's bucket: registering again and again
// on one connection is as dear as talking.
inline constexpr std::uint32_t hello_cost = 50;
// Registrations the whole broker accepts per second, and in a burst.
inline constexpr std::uint32_t default_hello_rate_per_s = 200;
inline constexpr std::uint32_t default_hello_burst = 2000;
// FORK: per asker and per invited user (invitations received), per second and in a burst.
inline constexpr std::uint32_t default_fork_rate_per_s = 1;
inline constexpr std::uint32_t default_fork_burst = 20;

// Liveness: heartbeat period, and silence after which the other side is dead.
inline constexpr std::chrono::milliseconds heartbeat_interval{1000};
inline constexpr std::chrono::milliseconds client_timeout{5000};  // broker drops a client
inline constexpr std::chrono::milliseconds broker_timeout{3000};  // client marks lobby down
inline constexpr std::chrono::milliseconds peer_timeout{5000};    // private session ends
inline constexpr std::chrono::milliseconds peer_ping_interval{1000};
// A registration whose subscription never arrives is dropped after this.
inline constexpr std::chrono::milliseconds join_timeout{10000};

// Late joiners receive this many recent lobby messages.
inline constexpr std::size_t default_history = 50;

// Lobby messages queued for one subscriber before the lobby drops for it. One
// message is at most max_text_bytes plus its envelope and libzmq's two message
// slots (64 bytes each), so a reader that never reads costs the broker at most
// lobby_hwm * lobby_message_bytes, about 62 MiB, and a W1 burst (10,000
// messages) still fits whole.
inline constexpr int lobby_hwm = 14000;
inline constexpr std::size_t lobby_message_bytes = max_text_bytes + 512;
// Live lobby messages a client holds while it waits for JOINED.
inline constexpr std::size_t early_lobby_messages = 1000;

// Private sessions: invitations being answered at once, per client.
inline constexpr std::size_t max_pending_invitations = 8;
// Frames queued for a slow private peer before it counts as dead.
inline constexpr std::size_t max_unsent_notes = 10000;

// Connections (rendezvous and lobby together) one source address may hold.
inline constexpr std::size_t default_connections_per_host = 256;
// ZMTP: a connection must finish its handshake within this, and one that
// does not answer a heartbeat within the timeout is closed. The probes are
// sparse and the timeout shorter than the interval, and no TTL is asked of
// the peer, because libzmq 4.3.4 cancels a timer by walking all of its I/O
// thread's timers: with 5 s probes, a TTL and 16,000 connections, that walk
// took three quarters of a core at rest. Registered clients are watched by
// their own heartbeats (heartbeat_interval, client_timeout) anyway.
inline constexpr std::chrono::milliseconds handshake_timeout{5000};
inline constexpr std::chrono::milliseconds zmtp_heartbeat{30000};
inline constexpr std::chrono::milliseconds zmtp_heartbeat_timeout{10000};

// Backlog of pending TCP connections on bound sockets (libzmq's default is 100).
inline constexpr int listen_backlog = 4096;

// Rooms: each client may be in this many, the broker holds at most this
// many, each keeps this many recent texts for newcomers, all rooms' texts
// together take at most room_history_bytes (the oldest go first), and an
// empty room (history and all) is dropped this long after its last member
// left, or sooner when a new room needs its place.
inline constexpr std::size_t max_rooms_per_client = 100;
// Tokens a JOIN takes (a ticket, a subscription, maybe a room: more than a
// line). A client back after a broker restart rejoins all its rooms at once:
// its HELLO and a JOIN per room fit in one default burst.
inline constexpr std::uint32_t join_cost = 4;
static_assert(hello_cost + max_rooms_per_client * join_cost <= default_burst);
inline constexpr std::size_t max_rooms = 10000;
inline constexpr std::size_t room_history = 50;
inline constexpr std::size_t room_history_bytes = 64u << 20;
// Room joins and parts one client may have waiting for its next ticket.
inline constexpr std::size_t max_room_changes = 2 * max_rooms_per_client;
inline constexpr std::chrono::milliseconds empty_room_linger{10 * 60 * 1000};
// A room beats at the heartbeat after news; when quiet, after this (plus up
// to as much again, by room), doubling up to the max: a reader that lost a
// room's last messages learns of it soon after, and an idle membership costs
// one beat a minute.
inline constexpr std::chrono::milliseconds quiet_room_beat{5000};
inline constexpr std::chrono::milliseconds quiet_room_beat_max{60000};
// Names one client may ask the broker to ignore.
inline constexpr std::size_t max_ignored = 1000;
// Names of users, and of rooms, a client keeps for completion: the one seen
// longest ago goes first.
inline constexpr std::size_t max_known_names = 1000;
// A client rings the terminal's bell at most this often, however many
// mentions arrive: a stranger's flood of them is one alert, not a din.
inline constexpr std::chrono::milliseconds bell_interval{1000};

// A name stays bound to its key this long after the key was last seen.
inline constexpr std::chrono::hours default_name_ttl{24 * 30};
// The key service answers all hosts together at most this often.
inline constexpr std::uint32_t key_answers_per_s = 200;
// A private session's ZAP request may wait this long for the broker's word
// on the invited key (FORK_OK); then it is refused.
inline constexpr std::chrono::milliseconds zap_wait{3000};

// Every bound above by name, for PROTOCOL.md's limits table (a test checks
// that the two agree). Durations in milliseconds.
inline constexpr std::pair<std::string_view, long long> documented[] = {
    {"max_frame_bytes", max_frame_bytes},
    {"max_subscription_bytes", max_subscription_bytes},
    {"max_text_bytes", max_text_bytes},
    {"max_text_lines", max_text_lines},
    {"max_name_bytes", max_name_bytes},
    {"max_endpoint_bytes", max_endpoint_bytes},
    {"max_token_bytes", max_token_bytes},
    {"max_key_bytes", max_key_bytes},
    {"max_listed_users", max_listed_users},
    {"max_depth", max_depth},
    {"secret_bits", secret_bits},
    {"default_rate_per_s", default_rate_per_s},
    {"default_burst", default_burst},
    {"hello_cost", hello_cost},
    {"default_hello_rate_per_s", default_hello_rate_per_s},
    {"default_hello_burst", default_hello_burst},
    {"default_fork_rate_per_s", default_fork_rate_per_s},
    {"default_fork_burst", default_fork_burst},
    {"heartbeat_interval", heartbeat_interval.count()},
    {"client_timeout", client_timeout.count()},
    {"broker_timeout", broker_timeout.count()},
    {"peer_timeout", peer_timeout.count()},
    {"peer_ping_interval", peer_ping_interval.count()},
    {"join_timeout", join_timeout.count()},
    {"default_history", default_history},
    {"lobby_hwm", lobby_hwm},
    {"lobby_message_bytes", lobby_message_bytes},
    {"early_lobby_messages", early_lobby_messages},
    {"max_pending_invitations", max_pending_invitations},
    {"max_unsent_notes", max_unsent_notes},
    {"default_connections_per_host", default_connections_per_host},
    {"handshake_timeout", handshake_timeout.count()},
    {"zmtp_heartbeat", zmtp_heartbeat.count()},
    {"zmtp_heartbeat_timeout", zmtp_heartbeat_timeout.count()},
    {"listen_backlog", listen_backlog},
    {"default_name_ttl",
     std::chrono::duration_cast<std::chrono::milliseconds>(default_name_ttl).count()},
    {"key_answers_per_s", key_answers_per_s},
    {"max_rooms_per_client", max_rooms_per_client},
    {"join_cost", join_cost},
    {"max_rooms", max_rooms},
    {"room_history", room_history},
    {"room_history_bytes", room_history_bytes},
    {"max_room_changes", max_room_changes},
    {"empty_room_linger", empty_room_linger.count()},
    {"quiet_room_beat", quiet_room_beat.count()},
    {"quiet_room_beat_max", quiet_room_beat_max.count()},
    {"max_ignored", max_ignored},
    {"max_known_names", max_known_names},
    {"bell_interval", bell_interval.count()},
    {"zap_wait", zap_wait.count()},
};

}  // namespace zchat::limits
