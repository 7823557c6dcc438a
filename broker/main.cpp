// chat-broker: command line, signals, and the one event loop.
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <optional>

#include "broker/broker.hpp"
#include "broker/broker_monitor.hpp"
#include "broker/metrics_server.hpp"
#include "patterns/config_dir.hpp"
#include "patterns/descriptor_limit.hpp"
#include "patterns/key_file.hpp"
#include "patterns/log.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/termination_signal.hpp"
#include "patterns/version.hpp"

namespace {

// What the command line says about keys; turned into Options::curve once the
// files are read.
struct KeyFlags {
    bool insecure = false;
    std::string key_file;     // empty: the XDG default
    std::string names_db;     // empty: the XDG default
    std::string key_service;  // empty: the rendezvous port + 2; "off": none
    double name_days =
        std::chrono::duration<double, std::ratio<86400>>(zchat::limits::default_name_ttl).count();
};

zchat::broker::Options parse(int argc, char** argv, std::string& metrics, KeyFlags& keys,
                             int& exit_code) {
    zchat::broker::Options o;
    std::string level = "info";
    double timeout_s = std::chrono::duration<double>(o.client_timeout).count();
    CLI::App app{"chat-broker: the zchat rendezvous (ROUTER) and lobby fan-out (PUB)",
                 "chat-broker"};
    app.set_version_flag("--version", zchat::version_line("chat-broker"),
                         "print the version and the protocol version, and exit");
    app.add_option("--rendezvous", o.rendezvous, "ROUTER endpoint clients connect to")
        ->capture_default_str();
    app.add_option("--lobby", o.lobby, "lobby PUB endpoint; clients learn it at registration")
        ->capture_default_str();
    app.add_option("--log-level", level, "debug, info, warn, error or off (logs go to stderr)")
        ->capture_default_str()
        ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
    app.add_option("--timeout", timeout_s, "seconds of silence before a client is dropped")
        ->capture_default_str()
        ->check(CLI::Range(0.5, 3600.0));
    app.add_option("--rate", o.flood.rate, "sustained requests per second per connection")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1000000u));
    app.add_option("--burst", o.flood.burst,
                   "requests a connection may send at once above the rate")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1000000u));
    app.add_option("--host-factor", o.flood.host_factor,
                   "one source address may ask this many connections' worth of --rate")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1000000u));
    app.add_option("--hello-rate", o.flood.hello_rate, "registrations per second, all clients")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1000000u));
    app.add_option("--hello-burst", o.flood.hello_burst, "registrations at once, all clients")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1000000u));
    app.add_option("--fork-rate", o.flood.fork_rate,
                   "private-session invitations per second, per asker and per invited user")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1000000u));
    app.add_option("--fork-burst", o.flood.fork_burst,
                   "invitations at once, per asker and per invited user")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1000000u));
    app.add_option("--max-host-connections", o.connections_per_host,
                   "connections one source address may hold (0: no cap)")
        ->capture_default_str()
        ->check(CLI::Range(0ul, 1000000ul));
    app.add_flag("--any-fork-host", o.any_fork_host,
                 "relay forks whose endpoint is not on the asker's own address (off: no client "
                 "can be made to dial a third party)");
    app.add_option("--history", o.history, "recent lobby messages replayed to a newcomer (0: none)")
        ->capture_default_str()
        ->check(CLI::Range(0u, 10000u));
    app.add_option(
           "--lobby-hwm", o.lobby_hwm,
           "lobby messages queued per subscriber before it misses some (clients report the gap)")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000000));
    app.add_flag("--insecure", keys.insecure,
                 "plaintext on every socket: no keys, names not bound to keys (clients need "
                 "--insecure too)");
    app.add_option("--key-file", keys.key_file,
                   "the broker's long-term CURVE key, made on first start (mode 0600) "
                   "[default: $XDG_CONFIG_HOME/zchat/broker.key, ~/.config/zchat/broker.key]");
    app.add_option(
        "--names-db", keys.names_db,
        "SQLite file binding names to keys across restarts "
        "[default: $XDG_DATA_HOME/zchat/names.sqlite, ~/.local/share/zchat/names.sqlite]");
    app.add_option("--name-days", keys.name_days,
                   "days a name stays bound to its key after the key was last seen")
        ->capture_default_str()
        ->check(CLI::Range(0.0001, 36500.0));
    app.add_option("--key-service", keys.key_service,
                   "plaintext endpoint that tells new clients the broker's key (trust on first "
                   "use); off: none [default: the rendezvous host, its port + 2]");
    app.add_option("--metrics", metrics,
                   "serve Prometheus metrics over HTTP at /metrics on this endpoint, e.g. "
                   "tcp://127.0.0.1:9464 (port 0: any free port); off when not given")
        ->check([](const std::string& endpoint) {
            return zchat::broker::parse_metrics_endpoint(endpoint)
                       ? std::string()
                       : std::string("expected tcp://HOST:PORT");
        });
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        exit_code = app.exit(e);
        return o;
    }
    zchat::log::set_level(*zchat::log::parse_level(level));
    if (keys.insecure &&
        (!keys.key_file.empty() || !keys.names_db.empty() || !keys.key_service.empty())) {
        std::cerr << "chat-broker: --insecure uses no key, name store or key service\n";
        exit_code = 2;
        return o;
    }
    o.client_timeout = std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
    exit_code = -1;
    return o;
}

}  // namespace

// Loads (or makes) the broker's key and fills Options::curve; prints where it came from.
void secure(zchat::broker::Options& o, const KeyFlags& flags) {
    zchat::broker::Security sec;
    const std::string key_file =
        flags.key_file.empty() ? zchat::config_dir() + "/broker.key" : flags.key_file;
    const auto loaded = zchat::load_or_create_keys(key_file);
    if (loaded.created) std::cout << "chat-broker: made a new key in " << key_file << std::endl;
    sec.keys = loaded.keys;
    sec.names_db = flags.names_db.empty() ? zchat::data_dir() + "/names.sqlite" : flags.names_db;
    sec.name_ttl = std::chrono::seconds(static_cast<long>(flags.name_days * 86400));
    sec.key_service = flags.key_service == "off"  ? ""
                      : flags.key_service.empty() ? zchat::default_key_service(o.rendezvous)
                                                  : flags.key_service;
    o.curve = std::move(sec);
}

// The line a user on another machine pastes: the endpoint as they dial it.
void print_identity(const zchat::broker::Broker& broker, const zchat::broker::Options& o) {
    if (!o.curve) {
        std::cout << "chat-broker: WARNING: --insecure: plaintext, names not bound to keys; "
                     "anyone on the network path can read and forge everything"
                  << std::endl;
        return;
    }
    const auto& key = o.curve->keys.public_z85;
    std::string service = broker.key_service_endpoint();
    std::cout << "chat-broker: key " << zchat::key_fingerprint(key) << ", key service "
              << (service.empty() ? "off" : "on " + service) << std::endl;
    std::cout << "chat-broker: clients connect with: chat-cli --broker "
              << zchat::broker::public_endpoint(broker.rendezvous_endpoint()) << " --broker-key '"
              << key << "'" << std::endl;
}

int main(int argc, char** argv) {
    int exit_code = -1;
    std::string metrics_at;
    KeyFlags key_flags;
    auto options = parse(argc, argv, metrics_at, key_flags, exit_code);
    if (exit_code >= 0) return exit_code;
    zchat::log::set_program("chat-broker");
    if (sodium_init() < 0) {
        std::cerr << "chat-broker: libsodium cannot start\n";
        return 1;
    }
    try {
        if (!key_flags.insecure) secure(options, key_flags);
        const std::size_t descriptors = zchat::raise_descriptor_limit();
        zmq::context_t ctx;
        ctx.set(zmq::ctxopt::max_sockets, 65536);
        zchat::TerminationSignal signals;
        zchat::EventLoop loop;
        zchat::broker::Broker broker(ctx, loop, options);
        std::optional<zchat::broker::MetricsServer> metrics;
        if (!metrics_at.empty())
            metrics.emplace(*zchat::broker::parse_metrics_endpoint(metrics_at));
        zchat::broker::BrokerMonitor monitor(broker, loop, metrics ? &*metrics : nullptr,
                                             options.heartbeat);
        loop.watch(signals.fd(), [&] {
            const int sig = signals.take();
            broker.shutdown(sig == SIGINT ? "broker stopped (SIGINT)" : "broker stopped (SIGTERM)");
            monitor.publish();
            loop.stop();
        });
        std::cout << "chat-broker: rendezvous on " << broker.rendezvous_endpoint() << ", lobby on "
                  << broker.lobby_endpoint() << std::endl;
        print_identity(broker, options);
        if (metrics) std::cout << "chat-broker: metrics on " << metrics->url() << std::endl;
        zchat::log::info("file descriptors: ", descriptors);
        loop.run();
        return 0;
    } catch (const zchat::broker::BindError& e) {
        std::cerr << "chat-broker: " << e.what() << std::endl;
        return 1;
    } catch (const zchat::broker::MetricsModuleError& e) {
        std::cerr << "chat-broker: --metrics: " << e.what() << std::endl;
        return 1;
    } catch (const zchat::KeyFileError& e) {
        std::cerr << "chat-broker: " << e.what() << std::endl;
        return 1;
    } catch (const zchat::broker::NameStoreError& e) {
        std::cerr << "chat-broker: " << e.what() << std::endl;
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "chat-broker: fatal: " << e.what() << std::endl;
        return 1;
    }
}
