// protocol: every zchat message as a C++ type, and its msgpack encoding.
// The prose twin of this file is patterns/PROTOCOL.md; a test checks that both
// name the same messages and fields in the same order.
//
// A body is one msgpack array: ["zc", version, kind, field...]. Each struct below
// lists its fields once, in wire order, in visit(); encode and decode both walk it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace zchat::protocol {

inline constexpr std::string_view signature = "zc";
inline constexpr std::uint8_t version = 2;

// Topic frame of every lobby message (XPUB/SUB).
inline constexpr std::string_view lobby_topic = "lobby";
// A room's topic: this, the room's name ("#rust"), and a NUL, so that "#rust"
// never prefix-matches "#rustaceans" (a name holds no control character).
inline constexpr std::string_view room_topic_prefix = "r/";
inline std::string room_topic(std::string_view room) {
    std::string t(room_topic_prefix);
    t.append(room);
    t.push_back('\0');
    return t;
}
// "\me waves" travels as IRC's CTCP ACTION: this, the text, then \x01.
inline constexpr std::string_view action_prefix =
    "\x01"
    "ACTION ";

// A client's subscription ticket starts with this. The broker applies
// subscriptions itself (XPUB_MANUAL): a SUB that subscribes to its ticket asks
// the broker to apply what its client may hear, and nothing else is applied.
inline constexpr std::string_view ticket_prefix = "t/";

enum class ErrorCode : std::uint16_t {
    bad_message = 1,      // undecodable, unknown kind, wrong frames
    not_registered = 2,   // request from a client the broker does not know
    bad_name = 3,         // requested name breaks the naming rules
    rate_limited = 4,     // over the token bucket: slow down, message refused
    too_large = 5,        // text over the announced limit
    unknown_peer = 6,     // fork target not online
    self_fork = 7,        // fork target is the asker
    bad_version = 8,      // protocol version not spoken by the broker
    not_joined = 9,       // a request that needs a live lobby subscription first
    too_many_lines = 10,  // text over the announced line limit
    busy = 11,            // the broker takes no more registrations just now
    key_in_use = 12,      // this key is registered already, on another connection
    not_in_room = 13,     // a room request from a client that is not a member
    too_many_rooms = 14,  // over the rooms a client may be in, or the broker may hold
};

// Every error code with the name PROTOCOL.md gives it.
inline constexpr std::pair<ErrorCode, std::string_view> error_code_names[] = {
    {ErrorCode::bad_message, "bad_message"},
    {ErrorCode::not_registered, "not_registered"},
    {ErrorCode::bad_name, "bad_name"},
    {ErrorCode::rate_limited, "rate_limited"},
    {ErrorCode::too_large, "too_large"},
    {ErrorCode::unknown_peer, "unknown_peer"},
    {ErrorCode::self_fork, "self_fork"},
    {ErrorCode::bad_version, "bad_version"},
    {ErrorCode::not_joined, "not_joined"},
    {ErrorCode::too_many_lines, "too_many_lines"},
    {ErrorCode::busy, "busy"},
    {ErrorCode::key_in_use, "key_in_use"},
    {ErrorCode::not_in_room, "not_in_room"},
    {ErrorCode::too_many_rooms, "too_many_rooms"},
};

// ---- rendezvous: DEALER (client) <-> ROUTER (broker) ----

struct Hello {  // client -> broker: register
    std::string name;
    std::string resume;  // the ticket of this client's previous registration, or empty
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("name", s.name);
        f("resume", s.resume);
    }
};

struct Welcome {  // broker -> client: registered
    std::uint64_t id = 0;
    std::string name;
    bool renamed = false;
    std::string lobby_endpoint;
    std::string ticket;
    std::uint64_t epoch = 0;
    std::string broker_id;
    std::uint32_t max_text = 0;
    std::uint32_t max_lines = 0;
    std::uint32_t rate = 0;
    std::uint32_t burst = 0;
    std::uint32_t heartbeat_ms = 0;
    std::uint32_t timeout_ms = 0;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("id", s.id);
        f("name", s.name);
        f("renamed", s.renamed);
        f("lobby_endpoint", s.lobby_endpoint);
        f("ticket", s.ticket);
        f("epoch", s.epoch);
        f("broker_id", s.broker_id);
        f("max_text", s.max_text);
        f("max_lines", s.max_lines);
        f("rate", s.rate);
        f("burst", s.burst);
        f("heartbeat_ms", s.heartbeat_ms);
        f("timeout_ms", s.timeout_ms);
    }
};

struct History {  // broker -> client: one recent lobby message, before JOINED
    std::uint64_t seq = 0;
    std::uint64_t ts_us = 0;
    std::string from;
    std::string text;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("seq", s.seq);
        f("ts_us", s.ts_us);
        f("from", s.from);
        f("text", s.text);
    }
};

struct Joined {  // broker -> client: subscription live, history sent up to last_seq
    std::uint64_t epoch = 0;
    std::uint64_t last_seq = 0;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("epoch", s.epoch);
        f("last_seq", s.last_seq);
    }
};

struct Ping {  // client -> broker: heartbeat
    template <class S, class F>
    static void visit(S&, F&&) {}
};

struct Say {  // client -> broker: lobby text
    std::uint64_t cseq = 0;
    std::string text;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
        f("text", s.text);
    }
};

struct Users {  // client -> broker: who is online
    std::uint64_t cseq = 0;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
    }
};

struct UserList {  // broker -> client
    std::uint64_t cseq = 0;
    std::uint64_t count = 0;
    std::vector<std::string> names;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
        f("count", s.count);
        f("names", s.names);
    }
};

struct Fork {  // client -> broker: find NAME, relay my endpoint
    std::uint64_t cseq = 0;
    std::string peer;
    std::string endpoint;
    std::string token;
    std::string curve_key;  // the initiator's public key; empty without CURVE
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
        f("peer", s.peer);
        f("endpoint", s.endpoint);
        f("token", s.token);
        f("curve_key", s.curve_key);
    }
};

struct ForkOk {  // broker -> client: invitation relayed
    std::uint64_t cseq = 0;
    std::string peer;
    std::string curve_key;  // the invited user's public key; empty without CURVE
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
        f("peer", s.peer);
        f("curve_key", s.curve_key);
    }
};

struct Invite {  // broker -> client: FROM wants a private session
    std::string from;
    std::string endpoint;
    std::string token;
    std::string curve_key;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("from", s.from);
        f("endpoint", s.endpoint);
        f("token", s.token);
        f("curve_key", s.curve_key);
    }
};

struct Bye {  // client -> broker: leaving
    std::string reason;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("reason", s.reason);
    }
};

struct Error {  // broker -> client: request CSEQ refused
    std::uint64_t cseq = 0;
    std::uint32_t code = 0;
    std::string reason;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
        f("code", s.code);
        f("reason", s.reason);
    }
};

// ---- lobby: XPUB (broker) -> SUB (client); frames [topic][body] ----

struct LobbyText {
    std::uint64_t epoch = 0;
    std::uint64_t seq = 0;
    std::uint64_t ts_us = 0;
    std::uint64_t from_id = 0;
    std::string from;
    std::string text;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("epoch", s.epoch);
        f("seq", s.seq);
        f("ts_us", s.ts_us);
        f("from_id", s.from_id);
        f("from", s.from);
        f("text", s.text);
    }
};

struct Notice {  // joins and leaves, sequenced with the lobby text
    std::uint64_t epoch = 0;
    std::uint64_t seq = 0;
    std::uint64_t ts_us = 0;
    std::string event;  // "joined" or "left"
    std::string name;
    std::string reason;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("epoch", s.epoch);
        f("seq", s.seq);
        f("ts_us", s.ts_us);
        f("event", s.event);
        f("name", s.name);
        f("reason", s.reason);
    }
};

struct Beat {  // broker heartbeat; last_seq lets a client see a gap at the tail
    std::uint64_t epoch = 0;
    std::uint64_t last_seq = 0;
    std::string broker_id;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("epoch", s.epoch);
        f("last_seq", s.last_seq);
        f("broker_id", s.broker_id);
    }
};

struct Shutdown {  // broker going down
    std::uint64_t epoch = 0;
    std::string reason;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("epoch", s.epoch);
        f("reason", s.reason);
    }
};

// ---- private session: PAIR <-> PAIR, one pair per session ----

struct PeerHello {  // both ways: the invited side first, the inviter answers
    std::string token;
    std::string name;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("token", s.token);
        f("name", s.name);
    }
};

struct PeerNote {
    std::uint64_t seq = 0;
    std::uint64_t ts_us = 0;
    std::string text;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("seq", s.seq);
        f("ts_us", s.ts_us);
        f("text", s.text);
    }
};

struct PeerPing {
    template <class S, class F>
    static void visit(S&, F&&) {}
};

struct PeerLeave {  // ends a session, or declines an invitation: only with its token
    std::string token;
    std::string reason;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("token", s.token);
        f("reason", s.reason);
    }
};

// ---- key service: DEALER (client) <-> ROUTER (broker), plaintext ----

struct KeyQuery {  // client -> broker: which key do you hold?
    template <class S, class F>
    static void visit(S&, F&&) {}
};

struct BrokerKey {  // broker -> client: its long-term public key, for trust on first use
    std::string curve_key;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("curve_key", s.curve_key);
    }
};

// ---- rooms: requests on the rendezvous, traffic on the room's topic ----

struct JoinRoom {  // client -> broker: enter ROOM, creating it if need be
    std::uint64_t cseq = 0;
    std::string room;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
        f("room", s.room);
    }
};

struct PartRoom {  // client -> broker: leave ROOM
    std::uint64_t cseq = 0;
    std::string room;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
        f("room", s.room);
    }
};

struct RoomTicket {  // broker -> client: subscribe to TICKET to apply the change
    std::uint64_t cseq = 0;
    std::string room;
    std::string ticket;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
        f("room", s.room);
        f("ticket", s.ticket);
    }
};

struct RoomJoined {  // broker -> client: the room is live, history sent up to last_seq
    std::uint64_t cseq = 0;
    std::string room;
    std::uint64_t epoch = 0;
    std::uint64_t last_seq = 0;
    std::uint64_t members = 0;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
        f("room", s.room);
        f("epoch", s.epoch);
        f("last_seq", s.last_seq);
        f("members", s.members);
    }
};

struct RoomParted {  // broker -> client: the room no longer reaches this client
    std::uint64_t cseq = 0;
    std::string room;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
        f("room", s.room);
    }
};

struct SayRoom {  // client -> broker: text for a room
    std::uint64_t cseq = 0;
    std::string room;
    std::string text;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
        f("room", s.room);
        f("text", s.text);
    }
};

struct RoomText {  // on the room's topic; also history, on the rendezvous
    std::string room;
    std::uint64_t epoch = 0;
    std::uint64_t seq = 0;
    std::uint64_t ts_us = 0;
    std::uint64_t from_id = 0;
    std::string from;
    std::string text;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("room", s.room);
        f("epoch", s.epoch);
        f("seq", s.seq);
        f("ts_us", s.ts_us);
        f("from_id", s.from_id);
        f("from", s.from);
        f("text", s.text);
    }
};

struct RoomNotice {  // on the room's topic: joins and parts, sequenced with its text
    std::string room;
    std::uint64_t epoch = 0;
    std::uint64_t seq = 0;
    std::uint64_t ts_us = 0;
    std::string event;  // "joined" or "left"
    std::string name;
    std::string reason;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("room", s.room);
        f("epoch", s.epoch);
        f("seq", s.seq);
        f("ts_us", s.ts_us);
        f("event", s.event);
        f("name", s.name);
        f("reason", s.reason);
    }
};

struct Rooms {  // client -> broker: which rooms exist
    std::uint64_t cseq = 0;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
    }
};

struct RoomList {  // broker -> client: "#name members" per room, in name order
    std::uint64_t cseq = 0;
    std::uint64_t count = 0;
    std::vector<std::string> rooms;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
        f("count", s.count);
        f("rooms", s.rooms);
    }
};

struct Who {  // client -> broker: a room's members (answered with USER_LIST)
    std::uint64_t cseq = 0;
    std::string room;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
        f("room", s.room);
    }
};

struct Ignore {  // client -> broker: relay (no) invitations from NAME to me
    std::uint64_t cseq = 0;
    std::string name;
    bool on = false;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("cseq", s.cseq);
        f("name", s.name);
        f("on", s.on);
    }
};

struct RoomBeat {  // on the room's topic: its last number, so a gap at the tail shows
    std::string room;
    std::uint64_t epoch = 0;
    std::uint64_t last_seq = 0;
    template <class S, class F>
    static void visit(S& s, F&& f) {
        f("room", s.room);
        f("epoch", s.epoch);
        f("last_seq", s.last_seq);
    }
};

// The variant order is the wire kind: kind = index + 1. Append only.
using Message =
    std::variant<Hello, Welcome, History, Joined, Ping, Say, Users, UserList, Fork, ForkOk, Invite,
                 Bye, Error, LobbyText, Notice, Beat, Shutdown, PeerHello, PeerNote, PeerPing,
                 PeerLeave, KeyQuery, BrokerKey, JoinRoom, PartRoom, RoomTicket, RoomJoined,
                 RoomParted, SayRoom, RoomText, RoomNotice, Rooms, RoomList, Who, Ignore, RoomBeat>;

// Names as written in PROTOCOL.md, indexed like Message.
inline constexpr std::string_view kind_names[] = {
    "HELLO",       "WELCOME",     "HISTORY",     "JOINED",      "PING",       "SAY",
    "USERS",       "USER_LIST",   "FORK",        "FORK_OK",     "INVITE",     "BYE",
    "ERROR",       "LOBBY_TEXT",  "NOTICE",      "BEAT",        "SHUTDOWN",   "PEER_HELLO",
    "PEER_NOTE",   "PEER_PING",   "PEER_LEAVE",  "KEY_QUERY",   "BROKER_KEY", "JOIN",
    "PART",        "ROOM_TICKET", "ROOM_JOINED", "ROOM_PARTED", "SAY_ROOM",   "ROOM_TEXT",
    "ROOM_NOTICE", "ROOMS",       "ROOM_LIST",   "WHO",         "IGNORE",     "ROOM_BEAT"};
static_assert(std::size(kind_names) == std::variant_size_v<Message>);

std::string_view kind_name(const Message& m);

enum class DecodeErrorCode {
    malformed,     // not msgpack, truncated, trailing bytes, too deep
    too_large,     // body over limits::max_frame_bytes
    bad_envelope,  // not an array, wrong signature
    bad_version,   // a version this code does not speak
    unknown_kind,  // kind outside the table
    field_count,   // too few or too many fields for the kind
    wrong_type,    // a field of the wrong msgpack type
};

struct DecodeError {
    DecodeErrorCode code;
    std::string reason;
};

// Never throws; a hostile body comes back as a DecodeError with a reason.
std::variant<Message, DecodeError> decode(std::string_view body);
std::string encode(const Message& m);
// For writing straight into a frame buffer: encode_into writes exactly
// encoded_size(m) bytes at OUT.
std::size_t encoded_size(const Message& m);
void encode_into(const Message& m, char* out);

}  // namespace zchat::protocol
