// raw_subscriber: ZMTP 3.0 greeting, READY, subscription messages, frame parsing.
#include "bench/raw_subscriber.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "patterns/network_socket.hpp"

namespace zchat::bench {
namespace {

constexpr unsigned char more_flag = 0x01, long_flag = 0x02, command_flag = 0x04;
constexpr std::size_t greeting_bytes = 64;

std::string greeting() {
    std::string g(greeting_bytes, '\0');
    g[0] = '\xff';
    g[9] = '\x7f';
    g[10] = 3;  // ZMTP 3.0
    g[11] = 0;
    g.replace(12, 4, "NULL");
    return g;  // as-server 0 and the filler stay zero
}

std::string ready_command() {
    std::string body = "\x05READY";
    const std::string name = "Socket-Type", value = "SUB";
    body += static_cast<char>(name.size());
    body += name;
    const std::uint32_t len = htonl(static_cast<std::uint32_t>(value.size()));
    body.append(reinterpret_cast<const char*>(&len), 4);
    body += value;
    return body;
}

std::uint64_t big_endian(std::string_view bytes) {
    std::uint64_t v = 0;
    for (const char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
    return v;
}

}  // namespace

RawSubscriber::RawSubscriber(OnMessage on_message) : on_message_(std::move(on_message)) {}

RawSubscriber::~RawSubscriber() {
    if (fd_ >= 0) ::close(fd_);
}

void RawSubscriber::connect(const std::string& endpoint) {
    if (fd_ >= 0) throw std::runtime_error("raw subscriber: connects once");
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("raw subscriber: no socket");
    const std::string host = endpoint_host(endpoint);
    const auto colon = endpoint.rfind(':');
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(std::stoi(endpoint.substr(colon + 1))));
    if (::inet_pton(AF_INET, host.c_str(), &to.sin_addr) != 1)
        throw std::runtime_error("raw subscriber: not an IPv4 endpoint: " + endpoint);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
        throw std::runtime_error("raw subscriber: cannot connect to " + endpoint);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    write_all(greeting());
    send_frame(command_flag, ready_command());
}

void RawSubscriber::write_all(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("raw subscriber: the connection failed");
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void RawSubscriber::send_frame(unsigned char flags, std::string_view body) {
    std::string frame;
    if (body.size() > 255) {
        frame += static_cast<char>(flags | long_flag);
        for (int shift = 56; shift >= 0; shift -= 8)
            frame += static_cast<char>((body.size() >> shift) & 0xff);
    } else {
        frame += static_cast<char>(flags);
        frame += static_cast<char>(body.size());
    }
    frame += body;
    write_all(frame);
}

// A subscription may not go before the peer's READY: libzmq would take it
// for a handshake command and drop the connection.
void RawSubscriber::send_subscription(char flag, std::string_view topic) {
    std::string body(1, flag);
    body += topic;
    if (!ready_) return held_.push_back(std::move(body));
    send_frame(0, body);
}

bool RawSubscriber::read() {
    if (fd_ < 0) return true;  // not connected yet
    char buf[256 * 1024];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return false;
    if (n > 0) in_.append(buf, static_cast<std::size_t>(n));
    return parse();
}

bool RawSubscriber::parse() {
    if (!greeted_) {
        if (in_.size() < greeting_bytes) return true;
        greeted_ = true;
        at_ = greeting_bytes;
    }
    const std::string_view data(in_);
    while (data.size() - at_ >= 2) {
        const auto flags = static_cast<unsigned char>(data[at_]);
        const std::size_t header = flags & long_flag ? 9 : 2;
        if (data.size() - at_ < header) break;
        const std::uint64_t size = flags & long_flag ? big_endian(data.substr(at_ + 1, 8))
                                                     : static_cast<unsigned char>(data[at_ + 1]);
        if (data.size() - at_ - header < size) break;
        const auto body = data.substr(at_ + header, size);
        at_ += header + size;
        if (flags & command_flag) {
            if (!on_command(body)) return false;
        } else if (in_message_) {
            on_message_(topic_, body);
            in_message_ = flags & more_flag;  // a third frame is never ours
        } else if (flags & more_flag) {
            topic_.assign(body);
            in_message_ = true;
        }
    }
    in_.erase(0, at_);
    at_ = 0;
    return true;
}

// READY opens the connection; a heartbeat PING is answered with PONG.
bool RawSubscriber::on_command(std::string_view body) {
    if (body.empty()) return false;
    const std::size_t name_len = static_cast<unsigned char>(body[0]);
    const auto name = body.substr(1, name_len);
    if (name == "READY") {
        ready_ = true;
        for (const auto& sub : std::exchange(held_, {})) send_frame(0, sub);
    } else if (name == "PING" && body.size() >= 1 + name_len + 2) {
        std::string pong = "\x04PONG";
        pong += body.substr(1 + name_len + 2);  // the ping's context
        send_frame(command_flag, pong);
    } else if (name == "ERROR") {
        return false;
    }
    return true;
}

}  // namespace zchat::bench
