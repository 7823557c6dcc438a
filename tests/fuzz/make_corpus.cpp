// make_corpus: writes the decode fuzzer's seed corpus, one encoded message of
// every kind, so the seeds follow the protocol instead of going stale.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <utility>

#include "patterns/protocol.hpp"

namespace {

using zchat::protocol::Message;

template <std::size_t... I>
void write_defaults(const std::filesystem::path& dir, std::index_sequence<I...>) {
    const Message kinds[] = {Message(std::in_place_index<I>)...};
    for (const auto& m : kinds)
        std::ofstream(dir / ("empty_" + std::string(zchat::protocol::kind_name(m))))
            << zchat::protocol::encode(m);
}

// A few with every field filled, so mutations start from real-looking data.
void write_filled(const std::filesystem::path& dir) {
    using namespace zchat::protocol;
    const std::pair<const char*, Message> filled[] = {
        {"welcome", Welcome{7, "anna_2", true, "tcp://10.0.0.1:5556", "t/00ff", 1u << 31, "b1",
                            4096, 100, 100, 500, 1000, 5000}},
        {"user_list", UserList{3, 2, {"anna", "bob"}}},
        {"lobby_text", LobbyText{5, 12, 99, 7, "anna", "hello"}},
        {"fork", Fork{4, "bob", "tcp://10.0.0.2:40000", "00112233445566778899aabbccddeeff", ""}},
        {"peer_note", PeerNote{1, 99, "psst"}},
    };
    for (const auto& [name, m] : filled) std::ofstream(dir / name) << encode(m);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: make_corpus DIR\n";
        return EXIT_FAILURE;
    }
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    write_defaults(dir, std::make_index_sequence<std::variant_size_v<Message>>{});
    write_filled(dir);
    return EXIT_SUCCESS;
}
