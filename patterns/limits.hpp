// limits: the size and timing bounds that broker and client agree on.
// Both sides read these constants; the broker also announces the ones a client
// must respect (text size, rate) in WELCOME, so a client never guesses.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace zchat::limits {

// Largest frame any network-facing socket accepts (ZMQ_MAXMSGSIZE).
// A frame over it closes the sending connection inside libzmq before we see it.
inline constexpr std::int64_t max_frame_bytes = 64 * 1024;
// Largest chat text, lobby or private. Leaves room in a frame for the envelope.
inline constexpr std::size_t max_text_bytes = 16 * 1024;
// Names: 1..32 bytes, checked by the broker's registry.
inline constexpr std::size_t max_name_bytes = 32;
// Endpoints and tokens carried for forks.
inline constexpr std::size_t max_endpoint_bytes = 256;
inline constexpr std::size_t max_token_bytes = 64;
// Public keys reserved for CURVE (32 bytes raw, 40 as Z85).
inline constexpr std::size_t max_key_bytes = 64;
// Names in one USER_LIST reply; more are summarised by the count field.
inline constexpr std::size_t max_listed_users = 1000;
// Deepest msgpack nesting the decoder accepts (messages are at most 2 deep).
inline constexpr std::size_t max_depth = 4;

// Flood control, per registered client: sustained rate and burst.
inline constexpr std::uint32_t default_rate_per_s = 100;
inline constexpr std::uint32_t default_burst = 500;

// Liveness: heartbeat period, and silence after which the other side is dead.
inline constexpr std::chrono::milliseconds heartbeat_interval{1000};
inline constexpr std::chrono::milliseconds client_timeout{5000};  // broker drops a client
inline constexpr std::chrono::milliseconds broker_timeout{3000};  // client marks lobby down
inline constexpr std::chrono::milliseconds peer_timeout{5000};    // private session ends

// Late joiners receive this many recent lobby messages.
inline constexpr std::size_t default_history = 50;

// Backlog of pending TCP connections on bound sockets (libzmq's default is 100).
inline constexpr int listen_backlog = 4096;

}  // namespace zchat::limits
