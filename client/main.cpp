// chat-cli: command line, name prompt, and the one event loop.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <clocale>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "client/chat_client.hpp"
#include "client/command_table.hpp"
#include "patterns/descriptor_limit.hpp"
#include "patterns/log.hpp"
#include "patterns/termination_signal.hpp"
#include "patterns/version.hpp"

namespace {

struct Parsed {
    zchat::client::Options options;
    int exit_code = -1;  // set when the process should exit at once (--help, bad flags)
};

Parsed parse(int argc, char** argv) {
    Parsed p;
    auto& o = p.options;
    std::string level = "warn";
    std::string log_file;
    bool no_colour = false;
    double broker_timeout_s = 3.0;
    double peer_timeout_s = 5.0;
    CLI::App app{"chat-cli: the zchat terminal client (lobby and private sessions)", "chat-cli"};
    app.set_version_flag("--version", zchat::version_line("chat-cli"),
                         "print the version and the protocol version, and exit");
    app.add_option("--broker", o.broker, "the broker's rendezvous endpoint")->capture_default_str();
    app.add_option("--name", o.name, "your chat name (asked for when missing)");
    app.add_option("--peer-host", o.peer_host,
                   "address this client listens on for private sessions (peers dial it)")
        ->capture_default_str()
        ->check([](const std::string& host) {
            const bool wildcard = host.empty() || host == "*" || host == "0.0.0.0" || host == "::";
            return wildcard
                       ? std::string("peers must be able to dial it: an address, not a wildcard")
                       : std::string();
        });
    app.add_flag("--no-color", no_colour,
                 "no colour (also when NO_COLOR is set or output is not a terminal)");
    app.add_flag("--timestamps", o.timestamps, "show the time of each message");
    app.add_option("--broker-timeout", broker_timeout_s,
                   "seconds without lobby heartbeats before the lobby is down")
        ->capture_default_str()
        ->check(CLI::Range(0.5, 3600.0));
    app.add_option("--peer-timeout", peer_timeout_s,
                   "seconds of silence that end a private session")
        ->capture_default_str()
        ->check(CLI::Range(0.5, 3600.0));
    app.add_option("--log-level", level, "debug, info, warn, error or off")
        ->capture_default_str()
        ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
    app.add_option("--log-file", log_file, "write logs here instead of stderr");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        p.exit_code = app.exit(e);
        return p;
    }
    zchat::log::set_level(*zchat::log::parse_level(level));
    if (!log_file.empty() && !zchat::log::set_file(log_file)) {
        std::cerr << "chat-cli: cannot open log file " << log_file << "\n";
        p.exit_code = 1;
    }
    o.interactive = ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO);
    o.colour = ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR") && !no_colour;
    o.broker_timeout = std::chrono::milliseconds(static_cast<long>(broker_timeout_s * 1000));
    o.peer_timeout = std::chrono::milliseconds(static_cast<long>(peer_timeout_s * 1000));
    return p;
}

// Reads one line from fd 0 a byte at a time, so nothing after it is buffered
// away from the event loop that reads stdin next. False at end of input.
bool read_line(std::string& line) {
    line.clear();
    char c;
    ssize_t n;
    while ((n = ::read(STDIN_FILENO, &c, 1)) == 1 && c != '\n') line += c;
    return n == 1 || !line.empty();
}

// Display widths and readline need a UTF-8 locale; the C locale knows none.
void use_utf8_locale() {
    if (!std::setlocale(LC_CTYPE, "") || MB_CUR_MAX == 1) std::setlocale(LC_CTYPE, "C.UTF-8");
}

// The reference chat's greeting, then the name.
bool ask_name(std::string& name) {
    std::cout << "$ Welcome to chat!\n"
              << "$ Commands: \\quit, \\users, \\fork NAME, \\sessions, \\switch N, \\lobby, "
                 "\\leave, \\help\n";
    while (name.empty()) {
        std::cout << "$ Please input chat name:" << std::endl;
        std::string line;
        if (!read_line(line)) return false;
        name = std::string(zchat::client::trim(line));
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = parse(argc, argv);
    if (parsed.exit_code >= 0) return parsed.exit_code;
    zchat::log::set_program("chat-cli");
    use_utf8_locale();
    zchat::raise_descriptor_limit();
    auto& options = parsed.options;
    if (options.name.empty() && !ask_name(options.name)) return 0;
    try {
        zmq::context_t ctx;
        ctx.set(zmq::ctxopt::max_sockets, 65536);
        zchat::TerminationSignal signals;
        zchat::EventLoop loop;
        zchat::client::ChatClient client(ctx, loop, options);
        loop.watch(signals.fd(), [&] {
            signals.take();
            client.quit(0);
        });
        loop.run();
        return client.exit_code();
    } catch (const zmq::error_t& e) {
        std::cerr << "chat-cli: cannot use broker endpoint " << options.broker << ": " << e.what()
                  << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "chat-cli: fatal: " << e.what() << "\n";
        return 1;
    }
}
