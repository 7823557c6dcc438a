// chat-cli: command line, name prompt, and the one event loop.
#include <sodium.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <clocale>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "client/broker_trust.hpp"
#include "client/chat_client.hpp"
#include "client/command_table.hpp"
#include "patterns/config_dir.hpp"
#include "patterns/descriptor_limit.hpp"
#include "patterns/key_file.hpp"
#include "patterns/log.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/termination_signal.hpp"
#include "patterns/version.hpp"

namespace {

// What the command line says about keys; resolved once the name is known.
struct KeyFlags {
    bool insecure = false;
    std::string key_file;       // empty: $XDG_CONFIG_HOME/zchat/client.key
    std::string broker_key;     // --broker-key
    std::string key_service;    // empty: the broker's host, its port + 2
    std::string known_brokers;  // empty: $XDG_CONFIG_HOME/zchat/known_brokers
    std::string known_peers;    // empty: $XDG_CONFIG_HOME/zchat/known_peers
    zchat::client::TrustNew trust_new = zchat::client::TrustNew::ask;
};

struct Parsed {
    zchat::client::Options options;
    KeyFlags keys;
    int exit_code = -1;  // set when the process should exit at once (--help, bad flags)
};

Parsed parse(int argc, char** argv) {
    Parsed p;
    auto& o = p.options;
    std::string level = "warn";
    std::string log_file;
    bool no_colour = false;
    bool no_bell = false;
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
    app.add_flag("--no-bell", no_bell,
                 "no terminal bell for a mention or a private line in a session not shown");
    app.set_config("--config", zchat::config_path("chat-cli.toml"),
                   "defaults for these options, in TOML (broker = \"tcp://...\", name = \"anna\", "
                   "no-color = true, timestamps = true, no-bell = true)");
    app.add_option("--broker-timeout", broker_timeout_s,
                   "seconds without lobby heartbeats before the lobby is down")
        ->capture_default_str()
        ->check(CLI::Range(0.5, 3600.0));
    app.add_option("--peer-timeout", peer_timeout_s,
                   "seconds of silence that end a private session")
        ->capture_default_str()
        ->check(CLI::Range(0.5, 3600.0));
    auto& k = p.keys;
    app.add_flag("--insecure", k.insecure,
                 "plaintext, no keys (the broker must run --insecure too); says so on screen");
    app.add_option("--broker-key", k.broker_key,
                   "the broker's public key, as the line chat-broker prints gives it (quote it)");
    app.add_option("--trust-new-broker", k.trust_new,
                   "a broker with no pinned key: ask (at a terminal; unattended, only a broker on "
                   "this machine), yes, or no")
        ->transform(CLI::CheckedTransformer(
            std::map<std::string, zchat::client::TrustNew>{{"ask", zchat::client::TrustNew::ask},
                                                           {"yes", zchat::client::TrustNew::yes},
                                                           {"no", zchat::client::TrustNew::no}},
            CLI::ignore_case))
        ->default_str("ask");
    app.add_option("--key-service", k.key_service,
                   "where a new broker tells its key [default: the broker's host, its port + 2]");
    app.add_option("--key-file", k.key_file,
                   "your long-term key, made on first run (mode 0600) "
                   "[default: $XDG_CONFIG_HOME/zchat/client.key, ~/.config/zchat/client.key]");
    app.add_option("--known-brokers", k.known_brokers,
                   "pinned broker keys [default: known_brokers beside the key file's default]");
    app.add_option("--known-peers", k.known_peers,
                   "pinned keys of the users you had private sessions with [default: "
                   "known_peers beside known_brokers]");
    app.add_option("--log-level", level, "debug, info, warn, error or off")
        ->capture_default_str()
        ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
    app.add_option("--log-file", log_file, "write logs here instead of stderr");
    app.footer(
        "Exit codes: 0 done, 1 error, 2 no broker answered, 3 the broker's key is not trusted "
        "or does not match (or one side runs --insecure and the other does not).");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        p.exit_code = app.exit(e);
        return p;
    }
    if (k.insecure && (!k.broker_key.empty() || !k.key_file.empty())) {
        std::cerr << "chat-cli: --insecure uses no keys: drop --broker-key and --key-file\n";
        p.exit_code = 2;
        return p;
    }
    zchat::log::set_level(*zchat::log::parse_level(level));
    if (!log_file.empty() && !zchat::log::set_file(log_file)) {
        std::cerr << "chat-cli: cannot open log file " << log_file << "\n";
        p.exit_code = 1;
    }
    o.interactive = ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO);
    o.colour = ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR") && !no_colour;
    o.bell = !no_bell;
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

// Our key, and the broker's as the user trusts it; prints what it pinned or made.
void load_keys(zmq::context_t& ctx, zchat::client::Options& o, const KeyFlags& k) {
    zmq::socket_t(ctx, zmq::socket_type::dealer).connect(o.broker);  // throws on a bad endpoint
    const auto in_config = [&](const std::string& given, const char* file) {
        return given.empty() ? zchat::config_dir() + "/" + file : given;
    };
    o.key_file = in_config(k.key_file, "client.key");
    o.known_peers = in_config(k.known_peers, "known_peers");
    const auto loaded = zchat::load_or_create_keys(o.key_file);
    if (loaded.created)
        std::cout << "$ made your key " << zchat::key_fingerprint(loaded.keys.public_z85) << " in "
                  << o.key_file << std::endl;
    zchat::client::KnownKeys known(in_config(k.known_brokers, "known_brokers"));
    const zchat::client::TrustRequest request{
        o.broker, k.broker_key,
        k.key_service.empty() ? zchat::default_key_service(o.broker) : k.key_service, k.trust_new,
        o.interactive};
    const zchat::client::TrustDialogue dialogue{
        [](const std::string& line) { std::cout << "$ " << line << std::endl; },
        [](const std::string& question) {
            std::cout << question << std::endl;
            std::string answer;
            return read_line(answer) && zchat::client::trim(answer) == "yes";
        }};
    const auto trusted = zchat::client::trust_broker(ctx, request, known, dialogue);
    o.keys = zchat::client::LinkKeys{loaded.keys, trusted.key, trusted.origin};
}

int main(int argc, char** argv) {
    auto parsed = parse(argc, argv);
    if (parsed.exit_code >= 0) return parsed.exit_code;
    zchat::log::set_program("chat-cli");
    use_utf8_locale();
    zchat::raise_descriptor_limit();
    if (sodium_init() < 0) {
        std::cerr << "chat-cli: libsodium cannot start\n";
        return 1;
    }
    auto& options = parsed.options;
    if (options.name.empty() && !ask_name(options.name)) return 0;
    try {
        zmq::context_t ctx;
        ctx.set(zmq::ctxopt::max_sockets, 65536);
        if (!parsed.keys.insecure) load_keys(ctx, options, parsed.keys);
        zchat::TerminationSignal signals;
        zchat::EventLoop loop;
        zchat::client::ChatClient client(ctx, loop, options);
        loop.watch(signals.fd(), [&] {
            signals.take();
            client.quit(0);
        });
        loop.run();
        return client.exit_code();
    } catch (const zchat::client::TrustError& e) {
        std::cerr << "chat-cli: " << e.what() << "\n";
        return e.unreachable ? 2 : zchat::client::exit_untrusted;
    } catch (const zmq::error_t& e) {
        std::cerr << "chat-cli: cannot use broker endpoint " << options.broker << ": " << e.what()
                  << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "chat-cli: fatal: " << e.what() << "\n";
        return 1;
    }
}
