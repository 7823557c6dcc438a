// chat-broker: command line, signals, and the one event loop.
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <optional>

#include "broker/broker.hpp"
#include "broker/broker_monitor.hpp"
#include "broker/metrics_server.hpp"
#include "patterns/descriptor_limit.hpp"
#include "patterns/log.hpp"
#include "patterns/termination_signal.hpp"
#include "patterns/version.hpp"

namespace {

zchat::broker::Options parse(int argc, char** argv, std::string& metrics, int& exit_code) {
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
    o.client_timeout = std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
    exit_code = -1;
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    int exit_code = -1;
    std::string metrics_at;
    auto options = parse(argc, argv, metrics_at, exit_code);
    if (exit_code >= 0) return exit_code;
    zchat::log::set_program("chat-broker");
    try {
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
        if (metrics) std::cout << "chat-broker: metrics on " << metrics->url() << std::endl;
        zchat::log::info("file descriptors: ", descriptors);
        loop.run();
        return 0;
    } catch (const zchat::broker::BindError& e) {
        std::cerr << "chat-broker: " << e.what() << std::endl;
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "chat-broker: fatal: " << e.what() << std::endl;
        return 1;
    }
}
