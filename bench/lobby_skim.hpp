// lobby_skim: the few fields of a LOBBY_TEXT (or a ROOM_TEXT, which rides on
// the same socket) a load client needs, read in place without allocating. A
// full decode costs six times as much, and at three million deliveries a
// second the load generator must not be what the benchmark measures.
// Anything else is left to protocol::decode.
#pragma once

#include <cstdint>
#include <string_view>

#include "patterns/protocol.hpp"

namespace zchat::bench {

struct LobbySkim {
    std::string_view room;  // a ROOM_TEXT's; empty for a LOBBY_TEXT
    std::uint64_t epoch = 0;
    std::uint64_t seq = 0;
    std::uint64_t ts_us = 0;
    std::uint64_t from_id = 0;
    std::string_view from;
    std::string_view text;
};

namespace skim_detail {

inline bool big_endian(const unsigned char*& p, const unsigned char* end, int n, std::uint64_t& v) {
    if (end - p < n) return false;
    v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | *p++;
    return true;
}

inline bool uint(const unsigned char*& p, const unsigned char* end, std::uint64_t& v) {
    if (p >= end) return false;
    const unsigned char c = *p++;
    if (c <= 0x7f) {
        v = c;
        return true;
    }
    switch (c) {
        case 0xcc:
            return big_endian(p, end, 1, v);
        case 0xcd:
            return big_endian(p, end, 2, v);
        case 0xce:
            return big_endian(p, end, 4, v);
        case 0xcf:
            return big_endian(p, end, 8, v);
    }
    return false;
}

inline bool str(const unsigned char*& p, const unsigned char* end, std::string_view& s) {
    if (p >= end) return false;
    const unsigned char c = *p++;
    std::uint64_t n = 0;
    if ((c & 0xe0) == 0xa0)
        n = c & 0x1f;
    else if (!((c == 0xd9 && big_endian(p, end, 1, n)) || (c == 0xda && big_endian(p, end, 2, n)) ||
               (c == 0xdb && big_endian(p, end, 4, n))))
        return false;
    if (static_cast<std::uint64_t>(end - p) < n) return false;
    s = {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
    p += n;
    return true;
}

// P past the envelope of a message of KIND with FIELDS fields; false if BODY is not one.
inline bool envelope(const unsigned char*& p, const unsigned char* end, std::uint64_t kind,
                     unsigned fields) {
    std::uint64_t v = 0;
    std::string_view sig;
    if (p >= end || *p++ != static_cast<unsigned char>(0x90 + 3 + fields))
        return false;  // fixarray
    if (!str(p, end, sig) || sig != protocol::signature) return false;
    if (!uint(p, end, v) || v != protocol::version) return false;
    return uint(p, end, v) && v == kind;
}

// A text's fields from its epoch on, the same in both kinds.
inline bool text_fields(const unsigned char*& p, const unsigned char* end, LobbySkim& o) {
    return uint(p, end, o.epoch) && uint(p, end, o.seq) && uint(p, end, o.ts_us) &&
           uint(p, end, o.from_id) && str(p, end, o.from) && str(p, end, o.text) && p == end;
}

inline const unsigned char* begin(std::string_view body) {
    return reinterpret_cast<const unsigned char*>(body.data());
}

}  // namespace skim_detail

// True and O filled if BODY is a LOBBY_TEXT; false for anything else.
inline bool skim_lobby_text(std::string_view body, LobbySkim& o) {
    using namespace skim_detail;
    constexpr std::uint64_t lobby_text_kind = 14;
    auto p = begin(body);
    const auto end = p + body.size();
    o.room = {};
    return envelope(p, end, lobby_text_kind, 6) && text_fields(p, end, o);
}

// True and O filled if BODY is a ROOM_TEXT; false for anything else.
inline bool skim_room_text(std::string_view body, LobbySkim& o) {
    using namespace skim_detail;
    constexpr std::uint64_t room_text_kind = 30;
    auto p = begin(body);
    const auto end = p + body.size();
    return envelope(p, end, room_text_kind, 7) && str(p, end, o.room) && text_fields(p, end, o);
}

}  // namespace zchat::bench
