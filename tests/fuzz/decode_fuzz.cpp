// decode_fuzz: libFuzzer target for protocol::decode. Any input must come back
// as a message or a DecodeError, and a message must survive re-encoding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "patterns/protocol.hpp"

namespace {

using zchat::protocol::Message;

// Aborts so libFuzzer saves the input; an assert would vanish under NDEBUG.
void require(bool ok) {
    if (!ok) __builtin_trap();
}

void check_reencoding(const Message& m) {
    const std::string once = zchat::protocol::encode(m);
    const auto again = zchat::protocol::decode(once);
    const auto* back = std::get_if<Message>(&again);
    require(back != nullptr);
    require(back->index() == m.index());
    require(zchat::protocol::encode(*back) == once);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto decoded =
        zchat::protocol::decode(std::string_view(reinterpret_cast<const char*>(data), size));
    if (const auto* m = std::get_if<Message>(&decoded))
        check_reencoding(*m);
    else
        require(!std::get<zchat::protocol::DecodeError>(decoded).reason.empty());
    return 0;
}
