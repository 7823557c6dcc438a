// frame: a message encoded in place in a ZeroMQ frame has exactly the bytes
// encode() gives, for every kind, and decodes back to the same message.
#include "patterns/frame.hpp"

#include <gtest/gtest.h>

namespace zchat {
namespace {

TEST(Frame, InPlaceEncodingIsTheEncodingForEveryKind) {
    const std::vector<protocol::Message> messages = {
        protocol::Hello{"anna", "t/00ff"},
        protocol::Welcome{1, "anna", false, "tcp://127.0.0.1:5556", "t/ab", 7, "b", 4096, 100, 100,
                          500, 1000, 5000},
        protocol::Say{3, std::string(4096, 's')},
        protocol::UserList{4, 2, {"anna", "bobby"}},
        protocol::LobbyText{7, 8, 9, 1, "anna", "two\nlines"},
        protocol::PeerNote{1, 2, ""},
        protocol::PeerPing{},
        protocol::PeerLeave{"00112233445566778899aabbccddeeff", "bye"},
    };
    for (const auto& m : messages) {
        SCOPED_TRACE(protocol::kind_name(m));
        const auto frame = to_frame(m);
        EXPECT_EQ(frame.to_string(), protocol::encode(m));
        EXPECT_EQ(frame.size(), protocol::encoded_size(m));
        const auto back = protocol::decode(frame.to_string_view());
        ASSERT_TRUE(std::holds_alternative<protocol::Message>(back));
        EXPECT_EQ(protocol::encode(std::get<protocol::Message>(back)), protocol::encode(m));
    }
}

}  // namespace
}  // namespace zchat
