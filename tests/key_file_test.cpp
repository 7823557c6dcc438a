// key_file: created once with mode 0600, read back strictly, and refused
// when others may read it or it is damaged.
#include "patterns/key_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace zchat {
namespace {

class KeyFileTest : public ::testing::Test {
  protected:
    KeyFileTest() {
        std::string tmpl = "/tmp/zchat-key-XXXXXX";
        dir_ = ::mkdtemp(tmpl.data());
        path_ = dir_ + "/client.key";
    }
    ~KeyFileTest() override { std::filesystem::remove_all(dir_); }

    mode_t mode() const {
        struct stat st {};
        ::stat(path_.c_str(), &st);
        return st.st_mode & 07777;
    }

    std::string dir_, path_;
};

TEST_F(KeyFileTest, IsMadeOnFirstUseWithMode0600AndReadBackTheSame) {
    const auto made = load_or_create_keys(path_);
    EXPECT_TRUE(made.created);
    EXPECT_EQ(mode(), 0600u);
    const auto again = load_or_create_keys(path_);
    EXPECT_FALSE(again.created);
    EXPECT_EQ(again.keys.public_z85, made.keys.public_z85);
    EXPECT_EQ(again.keys.secret_z85, made.keys.secret_z85);
}

TEST_F(KeyFileTest, AFileOthersMayReadIsRefusedWithTheFix) {
    load_or_create_keys(path_);
    ::chmod(path_.c_str(), 0640);
    try {
        load_or_create_keys(path_);
        FAIL() << "a group-readable key file was accepted";
    } catch (const KeyFileError& e) {
        EXPECT_NE(std::string(e.what()).find("chmod 600 " + path_), std::string::npos) << e.what();
    }
    ::chmod(path_.c_str(), 0604);
    EXPECT_THROW(load_or_create_keys(path_), KeyFileError);
    ::chmod(path_.c_str(), 0400);
    EXPECT_NO_THROW(load_or_create_keys(path_));
}

TEST_F(KeyFileTest, ADamagedFileIsRefusedAndNeverOverwritten) {
    {
        std::ofstream out(path_);
        out << "public-key K3HW^WVq.zo69t)(umF>:XvwTj:QGN^yKlWaVH(S\nsecret-key "
               "hgP.#hDUHSUiE^h?&P6wi8P5^Qk?rT(1ek&+[:+/\n";
    }
    ::chmod(path_.c_str(), 0600);
    EXPECT_THROW(load_or_create_keys(path_), KeyFileError);  // the keys do not belong together
    std::ofstream(path_) << "garbage\n";
    EXPECT_THROW(load_or_create_keys(path_), KeyFileError);
    std::ifstream in(path_);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "garbage");
}

TEST_F(KeyFileTest, ALinkIsNotFollowedWhenCreating) {
    const std::string target = dir_ + "/elsewhere";
    std::filesystem::create_symlink(target, path_);
    EXPECT_THROW(load_or_create_keys(path_), KeyFileError);
    EXPECT_FALSE(std::filesystem::exists(target));
}

}  // namespace
}  // namespace zchat
