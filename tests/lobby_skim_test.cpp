// lobby_skim: the load generator's allocation-free reading of a LOBBY_TEXT
// gives exactly what the decoder gives, for every width msgpack may use, and
// leaves anything else to the decoder.
#include "bench/lobby_skim.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace zchat::bench {
namespace {

// The text fields both kinds share, as the skim read them and the encoder wrote them.
template <class Text>
void expect_text_fields(const LobbySkim& s, const Text& t) {
    EXPECT_EQ(s.epoch, t.epoch);
    EXPECT_EQ(s.seq, t.seq);
    EXPECT_EQ(s.ts_us, t.ts_us);
    EXPECT_EQ(s.from_id, t.from_id);
    EXPECT_EQ(s.from, t.from);
    EXPECT_EQ(s.text, t.text);
}

TEST(LobbySkim, ReadsWhatTheEncoderWroteAtEveryWidth) {
    const std::uint64_t widths[] = {0,
                                    127,
                                    128,
                                    255,
                                    256,
                                    65535,
                                    65536,
                                    std::numeric_limits<std::uint32_t>::max(),
                                    std::numeric_limits<std::uint64_t>::max()};
    for (const auto w : widths) {
        for (const std::size_t len : {0u, 31u, 32u, 255u, 256u, 4096u}) {
            const protocol::LobbyText t{w, w / 2 + 1, w ^ 5, w / 3, "anna", std::string(len, 't')};
            const std::string body = protocol::encode(t);  // the views point into it
            LobbySkim s;
            ASSERT_TRUE(skim_lobby_text(body, s)) << w << " " << len;
            expect_text_fields(s, t);
        }
    }
}

TEST(LobbySkim, ReadsARoomsTextAsTheDecoderDoes) {
    for (const std::uint64_t w : {0ull, 200ull, 70000ull, 1ull << 40}) {
        const protocol::RoomText t{"#bench", w, w + 1, w + 2, w + 3, "anna", std::string(300, 't')};
        const std::string body = protocol::encode(t);
        LobbySkim s;
        ASSERT_TRUE(skim_room_text(body, s)) << w;
        EXPECT_EQ(s.room, t.room);
        expect_text_fields(s, t);
        EXPECT_FALSE(skim_lobby_text(body, s)) << "a room's text is not the lobby's";
    }
    LobbySkim s;
    EXPECT_FALSE(skim_room_text(protocol::encode(protocol::LobbyText{1, 2, 3, 4, "a", "b"}), s));
    EXPECT_FALSE(skim_room_text(protocol::encode(protocol::RoomBeat{"#bench", 1, 2}), s));
    const std::string text = protocol::encode(protocol::RoomText{"#r", 1, 2, 3, 4, "anna", "hi"});
    for (std::size_t n = 0; n < text.size(); ++n)
        EXPECT_FALSE(skim_room_text(text.substr(0, n), s)) << "truncated at " << n;
}

TEST(LobbySkim, AnythingElseIsLeftToTheDecoder) {
    LobbySkim s;
    EXPECT_FALSE(
        skim_lobby_text(protocol::encode(protocol::Notice{1, 2, 3, "joined", "a", ""}), s));
    EXPECT_FALSE(skim_lobby_text(protocol::encode(protocol::Beat{1, 2, "b"}), s));
    const std::string text = protocol::encode(protocol::LobbyText{1, 2, 3, 4, "anna", "hi"});
    for (std::size_t n = 0; n < text.size(); ++n)
        EXPECT_FALSE(skim_lobby_text(text.substr(0, n), s)) << "truncated at " << n;
    EXPECT_FALSE(skim_lobby_text(text + "x", s)) << "trailing bytes";
    std::string other_version = text;
    other_version[4] = 1;
    EXPECT_FALSE(skim_lobby_text(other_version, s));
}

}  // namespace
}  // namespace zchat::bench
