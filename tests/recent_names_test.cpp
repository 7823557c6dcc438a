// recent_names: bounded, the name seen longest ago out first, listed sorted.
#include "client/recent_names.hpp"

#include <gtest/gtest.h>

namespace zchat::client {
namespace {

using Names = std::vector<std::string>;

TEST(RecentNames, KeepsEachNameOnceListedInByteOrder) {
    RecentNames names(10);
    for (const char* n : {"carmen", "anna", "bobby", "anna"}) names.seen(n);
    EXPECT_EQ(names.sorted(), (Names{"anna", "bobby", "carmen"}));
}

TEST(RecentNames, PastItsCapacityTheNameSeenLongestAgoGoes) {
    RecentNames names(3);
    for (const char* n : {"anna", "bobby", "carmen"}) names.seen(n);
    names.seen("anna");  // seen again: now bobby is the oldest
    names.seen("dave");
    EXPECT_EQ(names.sorted(), (Names{"anna", "carmen", "dave"}));
}

TEST(RecentNames, EndlessNewNamesHoldNoMoreThanTheCapacity) {
    RecentNames names(100);
    for (int i = 0; i < 100000; ++i) names.seen("stranger" + std::to_string(i));
    EXPECT_EQ(names.size(), 100u);
    EXPECT_EQ(names.sorted().front(), "stranger99900");
}

}  // namespace
}  // namespace zchat::client
