// known_keys: pins found by label, appended, and replaced only explicitly.
#include "client/known_keys.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace zchat::client {
namespace {

class KnownKeysTest : public ::testing::Test {
  protected:
    KnownKeysTest() {
        std::string tmpl = "/tmp/zchat-known-XXXXXX";
        dir_ = ::mkdtemp(tmpl.data());
    }
    ~KnownKeysTest() override { std::filesystem::remove_all(dir_); }
    std::string dir_;
};

TEST_F(KnownKeysTest, NoFileMeansNothingKnown) {
    KnownKeys known(dir_ + "/known_brokers");
    EXPECT_FALSE(known.find("tcp://127.0.0.1:5555"));
}

TEST_F(KnownKeysTest, PinsAreFoundByTheirWholeLabelWithTheirLine) {
    const std::string path = dir_ + "/known_peers";
    std::ofstream(path) << "# a comment\n\nBROKER anna KEYA\nBROKER bob KEYB\n";
    KnownKeys known(path);
    const auto bob = known.find("BROKER bob");
    ASSERT_TRUE(bob);
    EXPECT_EQ(bob->key, "KEYB");
    EXPECT_EQ(known.where(*bob), path + " line 4");
    EXPECT_FALSE(known.find("bob"));
    EXPECT_FALSE(known.find("OTHER anna"));
}

TEST_F(KnownKeysTest, AddAppendsWithMode0600AndReplaceKeepsTheRest) {
    const std::string path = dir_ + "/known_peers";
    KnownKeys known(path);
    known.add("B anna", "K1");
    known.add("B bob", "K2");
    struct stat st {};
    ::stat(path.c_str(), &st);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    known.replace("B anna", "K3");
    EXPECT_EQ(known.find("B anna")->key, "K3");
    EXPECT_EQ(known.find("B bob")->key, "K2");
    std::ifstream in(path);
    std::string all((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(all.find("K1"), std::string::npos);
}

}  // namespace
}  // namespace zchat::client
