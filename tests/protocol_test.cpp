// protocol: every message survives a round trip, and no body, however hostile,
// gets past decode as anything but a DecodeError with a reason.
#include "patterns/protocol.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <msgpack.hpp>
#include <random>
#include <string>
#include <vector>

#include "patterns/limits.hpp"

namespace zchat::protocol {
namespace {

constexpr std::uint64_t epoch = 1'764'160'000'000'000;  // above 2^32 on purpose
constexpr std::string_view token = "00112233445566778899aabbccddeeff";
constexpr auto u64_max = std::numeric_limits<std::uint64_t>::max();
constexpr auto u32_max = std::numeric_limits<std::uint32_t>::max();

// One message of each kind, in kind order, no field left at its default.
std::vector<Message> samples() {
    return {
        Hello{"anna", "t/0011"},
        Welcome{42, "anna_2", true, "tcp://10.0.0.1:5556", "t/42", epoch,
                "chat-1/tcp://10.0.0.1:5555", 4096, 100, 100, 500, 1000, u32_max},
        History{7, epoch + 1, "bob", "hi there"},
        Joined{epoch, u64_max},
        Ping{},
        Say{3, "hello \xF0\x9F\xA6\x8A world"},
        Users{4},
        UserList{5, 1001, {"anna", "bob", "zo\xC3\xAB"}},
        Fork{6, "bob", "tcp://10.0.0.2:40000", std::string(token), "Z85-key"},
        ForkOk{6, "bob", "Z85-key-of-bob"},
        Invite{"anna", "tcp://10.0.0.2:40000", std::string(token), "Z85-key"},
        Bye{"gone fishing"},
        Error{9, 4, "slow down"},
        LobbyText{epoch, 12, epoch + 2, 42, "anna", "two\nlines"},
        Notice{epoch, 13, epoch + 3, "left", "bob", "timed out"},
        Beat{epoch, 13, "chat-1"},
        Shutdown{epoch, "broker stopped (SIGTERM)"},
        PeerHello{std::string(token), "anna"},
        PeerNote{1, epoch + 4, "psst"},
        PeerPing{},
        PeerLeave{std::string(token), "\\leave"},
        KeyQuery{},
        BrokerKey{"K3HW^WVq.zo69t)(umF>:XvwTj:QGN^yKlWaVH(S"},
        JoinRoom{14, "#rust"},
        PartRoom{15, "#rust"},
        RoomTicket{14, "#rust", "t/0123"},
        RoomJoined{14, "#rust", epoch, 3, 2},
        RoomParted{15, "#rust"},
        SayRoom{16, "#rust", "borrow"},
        RoomText{"#rust", epoch, 4, epoch + 5, 42, "anna", "borrow"},
        RoomNotice{"#rust", epoch, 5, epoch + 6, "left", "anna", "part"},
        Rooms{17},
        RoomList{17, 1, {"#rust 2"}},
        Who{18, "#rust"},
        Ignore{19, "mallory", true},
        RoomBeat{"#rust", epoch, 5},
    };
}

template <class F>
void visit_fields(const Message& m, F&& f) {
    std::visit([&](const auto& v) { std::decay_t<decltype(v)>::visit(v, f); }, m);
}

// "name=value" per field, so two messages compare field by field.
struct FieldDump {
    std::vector<std::string> out;
    void operator()(std::string_view n, const std::string& v) { add(n, '"' + v + '"'); }
    void operator()(std::string_view n, std::uint64_t v) { add(n, std::to_string(v)); }
    void operator()(std::string_view n, std::uint32_t v) { add(n, std::to_string(v) + "u32"); }
    void operator()(std::string_view n, bool v) { add(n, v ? "true" : "false"); }
    void operator()(std::string_view n, const std::vector<std::string>& v) {
        std::string all;
        for (const auto& s : v) all += '"' + s + "\",";
        add(n, "[" + all + "]");
    }
    void add(std::string_view n, const std::string& v) { out.push_back(std::string(n) + "=" + v); }
};

std::vector<std::string> fields(const Message& m) {
    FieldDump dump;
    visit_fields(m, dump);
    return dump.out;
}

std::size_t field_count(const Message& m) { return fields(m).size(); }

Message default_like(const Message& m) {
    return std::visit([](const auto& v) { return Message(std::decay_t<decltype(v)>{}); }, m);
}

using Packer = msgpack::packer<msgpack::sbuffer>;

// The signature's bytes, but as bin rather than str.
void pack_bin_zc(Packer& p) {
    p.pack_bin(2);
    p.pack_bin_body("zc", 2);
}

void pack_envelope(Packer& pk, std::size_t fields, std::uint64_t kind) {
    pk.pack_array(static_cast<std::uint32_t>(3 + fields));
    pk.pack(std::string("zc"));
    pk.pack_uint8(version);
    pk.pack_uint64(kind);
}

std::uint64_t kind_of(const Message& m) { return m.index() + 1; }

std::string bytes(const msgpack::sbuffer& b) { return {b.data(), b.size()}; }

// Writes the message's fields, letting the caller replace or drop one.
struct FieldPacker {
    Packer& pk;
    std::size_t index = 0;  // of the field being written
    std::function<bool(Packer&, std::size_t)> replace = [](Packer&, std::size_t) { return false; };

    template <class V>
    void operator()(std::string_view, const V& v) {
        if (!replace(pk, index++)) pk.pack(v);
    }
};

// A message of M's kind whose field AT is written by WRITE instead.
std::string with_field(const Message& m, std::size_t at,
                       const std::function<void(Packer&)>& write) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pack_envelope(pk, field_count(m), kind_of(m));
    FieldPacker fp{pk};
    fp.replace = [&](Packer& p, std::size_t i) {
        if (i != at) return false;
        write(p);
        return true;
    };
    visit_fields(m, fp);
    return bytes(buf);
}

// M's kind with only its first N fields.
std::string with_first_fields(const Message& m, std::size_t n) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pack_envelope(pk, n, kind_of(m));
    FieldPacker fp{pk};
    fp.replace = [n](Packer&, std::size_t i) { return i >= n; };
    visit_fields(m, fp);
    return bytes(buf);
}

// M with one field more than its kind has.
std::string with_extra_field(const Message& m) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pack_envelope(pk, field_count(m) + 1, kind_of(m));
    FieldPacker fp{pk};
    visit_fields(m, fp);
    pk.pack_uint8(7);
    return bytes(buf);
}

// A well-formed envelope around raw field bytes.
std::string envelope_then(std::uint64_t kind, std::size_t fields, std::string_view raw) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pack_envelope(pk, fields, kind);
    return bytes(buf) + std::string(raw);
}

std::variant<Message, DecodeError> decode_no_throw(std::string_view body) {
    std::variant<Message, DecodeError> r;
    EXPECT_NO_THROW(r = decode(body));
    return r;
}

void expect_error(std::string_view body, DecodeErrorCode code) {
    const auto r = decode_no_throw(body);
    const auto* err = std::get_if<DecodeError>(&r);
    ASSERT_NE(err, nullptr) << "decoded as " << kind_name(std::get<Message>(r));
    EXPECT_EQ(err->code, code) << "reason: " << err->reason;
    EXPECT_FALSE(err->reason.empty());
}

// Whatever random input gives, it is a usable message or a reasoned refusal.
void expect_contained(std::string_view body) {
    const auto r = decode_no_throw(body);
    if (const auto* err = std::get_if<DecodeError>(&r)) {
        EXPECT_FALSE(err->reason.empty());
        return;
    }
    const auto& m = std::get<Message>(r);
    const auto again = decode_no_throw(encode(m));
    ASSERT_TRUE(std::holds_alternative<Message>(again));
    EXPECT_EQ(fields(std::get<Message>(again)), fields(m));
}

TEST(Protocol, SamplesCoverEveryKindInOrder) {
    const auto all = samples();
    ASSERT_EQ(all.size(), std::variant_size_v<Message>);
    for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].index(), i);
}

TEST(Protocol, SamplesSetEveryField) {
    for (const auto& m : samples()) {
        SCOPED_TRACE(kind_name(m));
        const auto set = fields(m);
        const auto unset = fields(default_like(m));
        ASSERT_EQ(set.size(), unset.size());
        for (std::size_t i = 0; i < set.size(); ++i) EXPECT_NE(set[i], unset[i]);
    }
}

TEST(Protocol, EveryKindRoundTrips) {
    for (const auto& m : samples()) {
        SCOPED_TRACE(kind_name(m));
        const auto decoded = decode_no_throw(encode(m));
        ASSERT_TRUE(std::holds_alternative<Message>(decoded))
            << std::get<DecodeError>(decoded).reason;
        const auto& back = std::get<Message>(decoded);
        EXPECT_EQ(back.index(), m.index());
        EXPECT_EQ(fields(back), fields(m));
    }
}

TEST(Protocol, ReencodingGivesTheSameBytes) {
    for (const auto& m : samples()) {
        const std::string once = encode(m);
        EXPECT_EQ(encode(std::get<Message>(decode(once))), once) << kind_name(m);
    }
}

TEST(Protocol, EnvelopeIsSignatureVersionKind) {
    for (const auto& m : samples()) {
        const std::string body = encode(m);
        SCOPED_TRACE(kind_name(m));
        ASSERT_GE(body.size(), 6u);
        const std::size_t elements = 3 + field_count(m);
        std::size_t at = 1;  // a fixarray header up to 15 elements, array16 beyond
        if (elements <= 15) {
            EXPECT_EQ(static_cast<std::uint8_t>(body[0]), 0x90u + elements);
        } else {
            EXPECT_EQ(body.substr(0, 3), std::string("\xDC\x00", 2) + static_cast<char>(elements));
            at = 3;
        }
        EXPECT_EQ(body.substr(at, 3), "\xA2zc");
        EXPECT_EQ(body[at + 3], static_cast<char>(version));
        EXPECT_EQ(std::uint64_t{static_cast<std::uint8_t>(body[at + 4])}, kind_of(m));
    }
}

TEST(Protocol, AcceptsAnyIntegerWidth) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pack_envelope(pk, 2, kind_of(Say{}));
    pk.pack_fix_uint64(3);  // 9 bytes for a small number
    pk.pack(std::string("hi"));
    const auto r = decode(bytes(buf));
    ASSERT_TRUE(std::holds_alternative<Message>(r));
    EXPECT_EQ(std::get<Say>(std::get<Message>(r)).cseq, 3u);

    // A signed format holding a non-negative value is still that value.
    const auto signed_form = with_field(Say{0, "hi"}, 0, [](Packer& p) { p.pack_fix_int8(5); });
    const auto s = decode(signed_form);
    ASSERT_TRUE(std::holds_alternative<Message>(s));
    EXPECT_EQ(std::get<Say>(std::get<Message>(s)).cseq, 5u);
}

TEST(Protocol, BodyOfExactlyTheFrameLimitDecodes) {
    Say say{1, ""};
    const auto overhead = encode(say).size() + 2;  // str16 header instead of fixstr
    say.text.assign(static_cast<std::size_t>(limits::max_frame_bytes) - overhead, 'x');
    const std::string body = encode(say);
    ASSERT_EQ(body.size(), static_cast<std::size_t>(limits::max_frame_bytes));
    EXPECT_TRUE(std::holds_alternative<Message>(decode(body)));

    say.text += 'x';
    expect_error(encode(say), DecodeErrorCode::too_large);
}

TEST(ProtocolHostile, EmptyBody) { expect_error("", DecodeErrorCode::malformed); }

TEST(ProtocolHostile, OverTheFrameLimit) {
    expect_error(std::string(static_cast<std::size_t>(limits::max_frame_bytes) + 1, '\x90'),
                 DecodeErrorCode::too_large);
    expect_error(std::string(10 * 1024 * 1024, '\xFF'), DecodeErrorCode::too_large);
}

TEST(ProtocolHostile, RandomBytes) {
    std::mt19937 rng(20261126);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<std::size_t> length(0, 300);
    for (int i = 0; i < 5000; ++i) {
        std::string body(length(rng), '\0');
        for (auto& c : body) c = static_cast<char>(byte(rng));
        expect_contained(body);
    }
}

TEST(ProtocolHostile, RandomFieldsBehindAValidEnvelope) {
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<std::size_t> length(0, 64);
    std::uniform_int_distribution<std::size_t> fields(0, 14);
    std::uniform_int_distribution<std::uint64_t> kind(1, std::variant_size_v<Message>);
    for (int i = 0; i < 5000; ++i) {
        std::string tail(length(rng), '\0');
        for (auto& c : tail) c = static_cast<char>(byte(rng));
        expect_contained(envelope_then(kind(rng), fields(rng), tail));
    }
}

TEST(ProtocolHostile, MutatedValidMessages) {
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> byte(0, 255);
    for (const auto& m : samples()) {
        const std::string valid = encode(m);
        std::uniform_int_distribution<std::size_t> pos(0, valid.size() - 1);
        for (int i = 0; i < 300; ++i) {
            std::string body = valid;
            for (int flips = 1 + i % 3; flips > 0; --flips)
                body[pos(rng)] = static_cast<char>(byte(rng));
            expect_contained(body);
        }
    }
}

TEST(ProtocolHostile, EveryTruncation) {
    for (const auto& m : samples()) {
        SCOPED_TRACE(kind_name(m));
        const std::string body = encode(m);
        for (std::size_t n = 0; n < body.size(); ++n)
            expect_error(body.substr(0, n), DecodeErrorCode::malformed);
    }
}

TEST(ProtocolHostile, TrailingBytes) {
    for (const auto& m : samples()) expect_error(encode(m) + '\xC0', DecodeErrorCode::malformed);
    expect_error(encode(Ping{}) + encode(Ping{}), DecodeErrorCode::malformed);
}

// Values of every msgpack type but the one a field of type V takes.
template <class V>
std::vector<std::function<void(Packer&)>> wrong_values() {
    const std::function<void(Packer&)> text = [](Packer& p) { p.pack(std::string("7")); };
    const std::function<void(Packer&)> number = [](Packer& p) { p.pack_uint8(7); };
    const std::vector<std::function<void(Packer&)>> always = {
        [](Packer& p) { p.pack_nil(); },
        [](Packer& p) { p.pack_double(1.5); },
        [](Packer& p) { p.pack_map(0); },
        pack_bin_zc,
    };
    auto out = always;
    if constexpr (std::is_same_v<V, std::string>) {
        out.insert(out.end(), {number, [](Packer& p) { p.pack_true(); }});
    } else if constexpr (std::is_same_v<V, bool>) {
        out.insert(out.end(), {number, text});
    } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
        out.insert(out.end(), {number, text, [](Packer& p) { p.pack(std::vector<int>{1, 2}); }});
    } else {
        out.insert(out.end(),
                   {text, [](Packer& p) { p.pack_true(); }, [](Packer& p) { p.pack_int8(-1); },
                    [](Packer& p) { p.pack_int64(std::numeric_limits<std::int64_t>::min()); }});
    }
    return out;
}

struct WrongTypes {
    const Message& m;
    std::size_t index = 0;
    template <class V>
    void operator()(std::string_view name, const V&) {
        for (const auto& write : wrong_values<V>()) {
            const auto body = with_field(m, index, write);
            SCOPED_TRACE(std::string(kind_name(m)) + "." + std::string(name));
            expect_error(body, DecodeErrorCode::wrong_type);
        }
        ++index;
    }
};

TEST(ProtocolHostile, WrongFieldTypes) {
    for (const auto& m : samples()) {
        WrongTypes check{m};
        visit_fields(m, check);
    }
}

TEST(ProtocolHostile, WrongTypeReasonNamesTheField) {
    const auto r = decode(with_field(Say{1, "x"}, 1, [](Packer& p) { p.pack_uint8(1); }));
    ASSERT_TRUE(std::holds_alternative<DecodeError>(r));
    EXPECT_NE(std::get<DecodeError>(r).reason.find("text"), std::string::npos);
}

TEST(ProtocolHostile, HugeDeclaredLengths) {
    for (const std::string header : {"\xDB\xFF\xFF\xFF\xFF",      // str32
                                     "\xDD\xFF\xFF\xFF\xFF",      // array32
                                     "\xDF\xFF\xFF\xFF\xFF",      // map32
                                     "\xC6\xFF\xFF\xFF\xFF",      // bin32
                                     "\xC9\xFF\xFF\xFF\xFF\x01",  // ext32
                                     "\xDC\xFF\xFF"}) {           // array16
        expect_error(header, DecodeErrorCode::malformed);
        expect_error(envelope_then(kind_of(Say{}), 2, "\x01" + header), DecodeErrorCode::malformed);
    }
}

TEST(ProtocolHostile, UnknownKinds) {
    constexpr unsigned long long past_the_last = std::variant_size_v<Message> + 1;
    for (const std::uint64_t kind : {0ull, past_the_last, 255ull, 65536ull, 0xFFFFFFFFFFFFFFFFull})
        expect_error(envelope_then(kind, 0, ""), DecodeErrorCode::unknown_kind);
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_array(3);
    pk.pack(std::string("zc"));
    pk.pack_uint8(version);
    pk.pack(std::string("SAY"));
    expect_error(bytes(buf), DecodeErrorCode::unknown_kind);
}

std::string envelope_with(const std::function<void(Packer&)>& signature,
                          const std::function<void(Packer&)>& version) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_array(3);
    signature(pk);
    version(pk);
    pk.pack_uint8(kind_of(Ping{}));
    return bytes(buf);
}

TEST(ProtocolHostile, WrongSignature) {
    const auto v1 = [](Packer& p) { p.pack_uint8(1); };
    for (const std::string sig : {"zz", "ZC", "", "zcx", "z"})
        expect_error(envelope_with([&](Packer& p) { p.pack(sig); }, v1),
                     DecodeErrorCode::bad_envelope);
    expect_error(envelope_with(pack_bin_zc, v1), DecodeErrorCode::bad_envelope);
    expect_error(envelope_with([](Packer& p) { p.pack_uint8(1); }, v1),
                 DecodeErrorCode::bad_envelope);
}

TEST(ProtocolHostile, WrongVersion) {
    const auto sig = [](Packer& p) { p.pack(std::string("zc")); };
    for (const std::uint64_t v : {0ull, 1ull, 3ull, 255ull, 0x100000002ull})
        expect_error(envelope_with(sig, [v](Packer& p) { p.pack_uint64(v); }),
                     DecodeErrorCode::bad_version);
    expect_error(envelope_with(sig, [](Packer& p) { p.pack(std::string("1")); }),
                 DecodeErrorCode::bad_version);
    expect_error(envelope_with(sig, [](Packer& p) { p.pack_int8(-1); }),
                 DecodeErrorCode::bad_version);
}

TEST(ProtocolHostile, NotAnEnvelope) {
    for (const std::string body :
         {"\x90", "\x91\xA2zc", "\x92\xA2zc\x01", "\x05", "\xA2zc", "\xC0", "\xC3"})
        expect_error(body, DecodeErrorCode::bad_envelope);
}

TEST(ProtocolHostile, ExtraFields) {
    for (const auto& m : samples()) {
        SCOPED_TRACE(kind_name(m));
        expect_error(with_extra_field(m), DecodeErrorCode::field_count);
    }
}

TEST(ProtocolHostile, MissingFields) {
    for (const auto& m : samples()) {
        SCOPED_TRACE(kind_name(m));
        for (std::size_t n = 0; n < field_count(m); ++n)
            expect_error(with_first_fields(m, n), DecodeErrorCode::field_count);
    }
}

TEST(ProtocolHostile, MapInsteadOfArray) {
    expect_error("\x80", DecodeErrorCode::bad_envelope);
    // No message holds a map, so the parser refuses one with entries outright.
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_map(3);
    const std::pair<const char*, int> entries[] = {{"zc", 1}, {"version", 1}, {"kind", 5}};
    for (const auto& [key, value] : entries) {
        pk.pack(std::string(key));
        pk.pack_uint8(value);
    }
    expect_error(bytes(buf), DecodeErrorCode::malformed);
}

TEST(ProtocolHostile, DeeplyNestedArrays) {
    for (const std::size_t depth : {5u, 100u, 60000u})
        expect_error(std::string(depth, '\x91') + '\xC0', DecodeErrorCode::malformed);
    // Nesting inside a field: within the parser's bound it is merely the wrong type.
    expect_error(envelope_then(kind_of(UserList{}), 3, "\x01\x01\x91\x91\xA1x"),
                 DecodeErrorCode::wrong_type);
    expect_error(
        envelope_then(kind_of(UserList{}), 3, "\x01\x01" + std::string(1000, '\x91') + "\xA1x"),
        DecodeErrorCode::malformed);
}

TEST(ProtocolHostile, Uint64TooBigForUint32) {
    const std::uint64_t too_big = std::uint64_t{u32_max} + 1;
    const auto big = [too_big](Packer& p) { p.pack_uint64(too_big); };
    expect_error(with_field(Welcome{}, 7, big), DecodeErrorCode::wrong_type);  // max_text
    expect_error(with_field(Error{}, 1, big), DecodeErrorCode::wrong_type);    // code
    expect_error(with_field(Error{}, 1, [](Packer& p) { p.pack_uint64(u64_max); }),
                 DecodeErrorCode::wrong_type);
}

}  // namespace
}  // namespace zchat::protocol
