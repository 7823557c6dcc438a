// name_store: names bound to keys in SQLite, across a reopen, until they run out.
#include "broker/name_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

namespace zchat::broker {
namespace {

using namespace std::chrono_literals;

const std::string anna_key(40, 'a');
const std::string other_key(40, 'b');

class NameStoreTest : public ::testing::Test {
  protected:
    NameStoreTest() {
        std::string tmpl = "/tmp/zchat-names-XXXXXX";
        dir_ = ::mkdtemp(tmpl.data());
        path_ = dir_ + "/names.sqlite";
    }
    ~NameStoreTest() override { std::filesystem::remove_all(dir_); }
    std::string dir_, path_;
};

TEST_F(NameStoreTest, ANameStaysWithItsKeyAcrossAReopen) {
    {
        NameStore store(path_, 100s);
        store.bind("anna", anna_key, 1000);
    }
    NameStore store(path_, 100s);
    EXPECT_EQ(store.holder("anna", 1050), anna_key);
    EXPECT_FALSE(store.holder("bob", 1050));
    struct stat st {};
    ::stat(path_.c_str(), &st);
    EXPECT_EQ(st.st_mode & 077, 0u) << "the store is private to the broker's user";
}

TEST_F(NameStoreTest, ARecordRunsOutTtlAfterItsKeyWasLastSeen) {
    NameStore store(path_, 100s);
    store.bind("anna", anna_key, 1000);
    store.seen(anna_key, 1080);
    EXPECT_EQ(store.holder("anna", 1179), anna_key);
    EXPECT_FALSE(store.holder("anna", 1180));
    EXPECT_EQ(store.forget_expired(1180), 1u);
    EXPECT_EQ(store.size(), 0u);
}

TEST_F(NameStoreTest, AKeyHoldsOneNameAndAnotherKeyMayTakeAFreedOne) {
    NameStore store(path_, 100s);
    store.bind("anna", anna_key, 1000);
    store.bind("anne", anna_key, 1001);  // anna's key renames itself
    EXPECT_FALSE(store.holder("anna", 1002));
    EXPECT_EQ(store.holder("anne", 1002), anna_key);
    store.bind("anna", other_key, 1003);
    EXPECT_EQ(store.holder("anna", 1004), other_key);
    EXPECT_EQ(store.size(), 2u);
}

TEST_F(NameStoreTest, AnUnwritablePlaceIsAClearError) {
    try {
        NameStore store("/proc/no-such-dir/names.sqlite", 100s);
        FAIL() << "opened a store that cannot exist";
    } catch (const NameStoreError& e) {
        EXPECT_NE(std::string(e.what()).find("/proc/no-such-dir/names.sqlite"), std::string::npos);
    }
}

}  // namespace
}  // namespace zchat::broker
