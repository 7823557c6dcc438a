// safety_number and curve_keys: the test vector PROTOCOL.md gives, so a
// second implementation can check its digits against ours.
#include "patterns/safety_number.hpp"

#include <gtest/gtest.h>
#include <zmq.h>

#include "patterns/curve_keys.hpp"

namespace zchat {
namespace {

// The key whose secret is the bytes FIRST, FIRST+1, ..., FIRST+31.
std::string public_key_from_bytes(unsigned char first) {
    unsigned char secret[32];
    for (int i = 0; i < 32; ++i) secret[i] = static_cast<unsigned char>(first + i);
    char z85[41] = {};
    zmq_z85_encode(z85, secret, 32);
    return *public_key_of(z85);
}

const std::string alice = public_key_from_bytes(0x00);
const std::string bob = public_key_from_bytes(0x20);

TEST(SafetyNumber, KeysFromKnownSecretsAreTheVectorsKeys) {
    EXPECT_EQ(alice, "K3HW^WVq.zo69t)(umF>:XvwTj:QGN^yKlWaVH(S");
    EXPECT_EQ(bob, "hgP.#hDUHSUiE^h?&P6wi8P5^Qk?rT(1ek&+[:+/");
}

TEST(SafetyNumber, EachSideHasThirtyDigitsFromItsKeyAndName) {
    EXPECT_EQ(safety_digits(raw_key(alice), "alice"), "706642280029201031257611186802");
    EXPECT_EQ(safety_digits(raw_key(bob), "bob"), "984170953168809251214721699469");
    EXPECT_EQ(safety_digits(raw_key(alice), "anna"), "096341220369596317189903426270");
}

TEST(SafetyNumber, IsTheSameOnBothScreens) {
    const std::string expected =
        "70664 22800 29201 03125 76111 86802\n98417 09531 68809 25121 47216 99469";
    EXPECT_EQ(safety_number(raw_key(alice), "alice", raw_key(bob), "bob"), expected);
    EXPECT_EQ(safety_number(raw_key(bob), "bob", raw_key(alice), "alice"), expected);
}

TEST(SafetyNumber, ASubstitutedKeyChangesIt) {
    const std::string mallory = generate_curve_keys().public_z85;
    EXPECT_NE(safety_number(raw_key(alice), "alice", raw_key(mallory), "bob"),
              safety_number(raw_key(alice), "alice", raw_key(bob), "bob"));
}

TEST(CurveKeys, FingerprintIsSha256OfTheRawKeyInBase64) {
    EXPECT_EQ(key_fingerprint(alice), "SHA256:7t2IPaCpRRWT3Ao45YP7dw+ifbvtIJwgQE4HXmjE8Mk");
    EXPECT_EQ(key_fingerprint(bob), "SHA256:oCiYEAMutBcnTuvEo45ombk1Mh1TVU4y7GMi8Poeck4");
}

TEST(CurveKeys, OnlyFortyZ85CharactersOfANonZeroKeyAreAKey) {
    EXPECT_TRUE(valid_curve_key(alice));
    EXPECT_FALSE(valid_curve_key(""));
    EXPECT_FALSE(valid_curve_key(alice.substr(1)));
    EXPECT_FALSE(valid_curve_key(alice + "a"));
    EXPECT_FALSE(valid_curve_key(std::string(40, '~')));  // not in the alphabet
    EXPECT_FALSE(valid_curve_key(std::string(40, '0')));  // all zeros
    EXPECT_FALSE(public_key_of("nonsense"));
}

TEST(CurveKeys, FreshKeysAreDifferentAndBelongTogether) {
    const auto a = generate_curve_keys();
    const auto b = generate_curve_keys();
    EXPECT_NE(a.public_z85, b.public_z85);
    EXPECT_EQ(public_key_of(a.secret_z85), a.public_z85);
}

}  // namespace
}  // namespace zchat
