// room_table: bounded in rooms and, over all rooms together, in history bytes.
#include "broker/room_table.hpp"

#include <gtest/gtest.h>

#include "patterns/limits.hpp"

namespace zchat::broker {
namespace {

using namespace std::chrono_literals;

protocol::RoomText text_in(const Room& room, std::size_t bytes) {
    return {room.name, 1, room.seq + 1, 0, 1, "eve", std::string(bytes, 'x')};
}

TEST(RoomTable, AllHistoriesTogetherStayWithinTheirBytesOldestFirst) {
    RoomTable rooms;
    const std::size_t text = limits::max_text_bytes;
    // Enough full rooms to hold twice the budget, were it not for the budget.
    const std::size_t count = 2 * limits::room_history_bytes / (text * limits::room_history) + 1;
    for (std::size_t i = 0; i < count; ++i) {
        Room& room = *rooms.open("#r" + std::to_string(i));
        for (std::size_t n = 0; n < limits::room_history; ++n)
            rooms.remember(room, text_in(room, text));
        ASSERT_LE(rooms.history_bytes(), limits::room_history_bytes);
    }
    EXPECT_GT(rooms.history_bytes(), limits::room_history_bytes - 2 * text) << "the budget is used";
    EXPECT_TRUE(rooms.find("#r0")->history.empty()) << "the oldest texts went first";
    EXPECT_EQ(rooms.find("#r" + std::to_string(count - 1))->history.size(), limits::room_history);
}

TEST(RoomTable, AForgottenRoomGivesBackItsBytes) {
    RoomTable rooms;
    Room& room = *rooms.open("#gone");
    rooms.add_member(room, "anna");
    rooms.remember(room, text_in(room, 1000));
    ASSERT_GT(rooms.history_bytes(), 1000u);
    const auto then = RoomTable::Clock::now();
    rooms.remove_member(room, "anna", then);
    EXPECT_EQ(rooms.forget_empty(then + limits::empty_room_linger + 1ms), 1u);
    EXPECT_EQ(rooms.history_bytes(), 0u);
}

TEST(RoomTable, WhenFullTheRoomEmptyLongestGivesItsPlace) {
    RoomTable rooms;
    const auto now = RoomTable::Clock::now();
    for (std::size_t i = 0; i < limits::max_rooms; ++i) {
        Room& room = *rooms.open("#r" + std::to_string(i));
        rooms.add_member(room, "member");
    }
    EXPECT_EQ(rooms.open("#new"), nullptr) << "every room has members";
    for (const int i : {7, 3})
        rooms.remove_member(*rooms.find("#r" + std::to_string(i)), "member",
                            now + std::chrono::seconds(i));
    ASSERT_NE(rooms.open("#new"), nullptr);
    EXPECT_EQ(rooms.find("#r3"), nullptr) << "empty longest";
    EXPECT_NE(rooms.find("#r7"), nullptr);
    EXPECT_EQ(rooms.all().size(), limits::max_rooms);
}

// A room beats when it has news; quiet, after quiet_room_beat and a share of
// it fixed per room, then at doubling intervals up to the max; a room without
// members never.
TEST(RoomTable, ARoomBeatsOnNewsThenLessAndLessOftenWhenQuiet) {
    RoomTable rooms;
    Room& busy = *rooms.open("#busy");
    rooms.open("#empty");
    rooms.add_member(busy, "anna");
    auto t = RoomTable::Clock::now();
    const auto due = [&](RoomTable::Clock::time_point at) {
        std::vector<std::string> out;
        for (const Room* r : rooms.beats_due(at)) out.push_back(r->name);
        return out;
    };
    using Names = std::vector<std::string>;
    ++busy.seq;
    EXPECT_EQ(due(t), Names{"#busy"}) << "news beats at the next tick";
    EXPECT_EQ(due(t + 1s), Names{}) << "and only once";
    // Quiet: the first interval is at least quiet_room_beat, at most twice it.
    auto interval = busy.quiet_interval;
    EXPECT_GE(interval, limits::quiet_room_beat);
    EXPECT_LT(interval, 2 * limits::quiet_room_beat);
    for (int beat = 0; beat < 8; ++beat) {
        EXPECT_EQ(due(t + interval - 1ms), Names{}) << beat;
        t += interval;
        EXPECT_EQ(due(t), Names{"#busy"}) << beat;
        EXPECT_EQ(busy.quiet_interval, std::min(2 * interval, limits::quiet_room_beat_max));
        interval = busy.quiet_interval;
    }
    EXPECT_EQ(interval, limits::quiet_room_beat_max);
    ++busy.seq;
    EXPECT_EQ(due(t + 1s), Names{"#busy"}) << "news starts over";
    EXPECT_LT(busy.quiet_interval, 2 * limits::quiet_room_beat);
}

// A room made again numbers on from where a forgotten room left off, so a
// client back in the same broker run cannot take its texts for old ones.
TEST(RoomTable, ARoomMadeAgainNeverReusesANumber) {
    RoomTable rooms;
    Room& old = *rooms.open("#rust");
    rooms.add_member(old, "anna");
    old.seq = 40;
    const auto then = RoomTable::Clock::now();
    rooms.remove_member(old, "anna", then);
    ASSERT_EQ(rooms.forget_empty(then + limits::empty_room_linger + 1ms), 1u);
    EXPECT_EQ(rooms.open("#rust")->seq, 40u);
    EXPECT_EQ(rooms.open("#other")->seq, 40u);
}

}  // namespace
}  // namespace zchat::broker
