// baseline-forwarder: the zero-logic forwarder BENCH.md measures the broker
// against. Same topology as chat-broker (clients DEALER -> ROUTER, PUB -> SUB),
// same socket options, and no logic at all: each message taken from the ROUTER
// loses its routing-id frame and goes out on the PUB unchanged, frame for frame.
#include <CLI/CLI.hpp>
#include <iostream>
#include <zmq.hpp>

#include "patterns/curve_keys.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/termination_signal.hpp"

namespace {

// Messages forwarded per poll wake-up, so a signal is seen even under load.
constexpr int drain_batch = 1024;
// The broker's lobby SNDHWM (broker::Options::lobby_hwm), so both drop alike.
constexpr int lobby_hwm = 100000;

// Moves one whole message from ROUTER to PUB; false when none is waiting.
bool forward_one(zmq::socket_t& router, zmq::socket_t& pub) {
    zmq::message_t routing_id;
    if (!router.recv(routing_id, zmq::recv_flags::dontwait)) return false;
    bool more = routing_id.more();
    while (more) {
        zmq::message_t part;
        (void)router.recv(part, zmq::recv_flags::none);  // the rest of a message is already here
        more = part.more();
        // PUB never blocks: at the HWM it drops, exactly as the broker's XPUB does.
        (void)pub.send(part, more ? zmq::send_flags::sndmore | zmq::send_flags::dontwait
                                  : zmq::send_flags::dontwait);
    }
    return true;
}

int run(const std::string& rendezvous, const std::string& lobby, bool curve) {
    zmq::context_t ctx;
    ctx.set(zmq::ctxopt::max_sockets, 65536);
    zchat::TerminationSignal signals;
    auto router = zchat::make_network_socket(ctx, zmq::socket_type::router);
    auto pub = zchat::make_network_socket(ctx, zmq::socket_type::pub);
    pub.set(zmq::sockopt::sndhwm, lobby_hwm);
    const auto keys = zchat::generate_curve_keys();
    if (curve) {
        // CURVE servers with no ZAP handler: every client key is taken, unchecked.
        for (auto* s : {&router, &pub}) {
            s->set(zmq::sockopt::curve_server, true);
            s->set(zmq::sockopt::curve_secretkey, keys.secret_z85);
        }
    }
    router.bind(rendezvous);
    pub.bind(lobby);
    std::cout << "baseline-forwarder: rendezvous on " << zchat::bound_endpoint(router)
              << ", lobby on " << zchat::bound_endpoint(pub) << std::endl;
    if (curve)
        std::cout << "baseline-forwarder: CURVE, --server-key '" << keys.public_z85 << "'"
                  << std::endl;
    zmq::pollitem_t items[] = {{router.handle(), 0, ZMQ_POLLIN, 0},
                               {nullptr, signals.fd(), ZMQ_POLLIN, 0}};
    for (;;) {
        try {
            zmq::poll(items, 2, std::chrono::milliseconds{-1});
        } catch (const zmq::error_t& e) {
            if (e.num() != EINTR) throw;
            continue;  // the handler wrote to the self-pipe; seen next round
        }
        if (items[1].revents & ZMQ_POLLIN) {
            (void)signals.take();
            return 0;  // SIGTERM/SIGINT is how bench/run ends every baseline run
        }
        for (int i = 0; i < drain_batch && forward_one(router, pub); ++i) {
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::string rendezvous = "tcp://127.0.0.1:5565";
    std::string lobby = "tcp://127.0.0.1:5566";
    CLI::App app{"baseline-forwarder: ROUTER in, PUB out, no logic; the benchmark baseline"};
    app.add_option("--rendezvous", rendezvous, "ROUTER endpoint load clients send to")
        ->capture_default_str();
    app.add_option("--lobby", lobby, "PUB endpoint load clients subscribe to")
        ->capture_default_str();
    bool curve = false;
    app.add_flag("--curve", curve, "CURVE on both sockets (prints the key clients need)");
    CLI11_PARSE(app, argc, argv);
    try {
        return run(rendezvous, lobby, curve);
    } catch (const std::exception& e) {
        std::cerr << "baseline-forwarder: " << e.what() << std::endl;
        return 1;
    }
}
