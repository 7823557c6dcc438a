// metrics_server: the --metrics endpoint syntax, and the HTTP server serving
// what the loop thread published, on a free loopback port.
#include "broker/metrics_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include "tests/prometheus_text.hpp"

namespace zchat::broker {
namespace {

const MetricsEndpoint any_loopback_port{"127.0.0.1", 0};
const std::string module = ZCHAT_METRICS_MODULE;  // the test program is not beside it

TEST(MetricsEndpoint, ParsesTcpHostAndPort) {
    const auto plain = parse_metrics_endpoint("tcp://127.0.0.1:9464");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->host, "127.0.0.1");
    EXPECT_EQ(plain->port, 9464);
    const auto v6 = parse_metrics_endpoint("tcp://[::1]:0");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->port, 0);
    const auto wildcard = parse_metrics_endpoint("tcp://*:*");
    ASSERT_TRUE(wildcard);
    EXPECT_EQ(wildcard->host, "0.0.0.0");
    EXPECT_EQ(wildcard->port, 0);
    EXPECT_EQ(parse_metrics_endpoint("tcp://localhost:1")->host, "localhost");
}

TEST(MetricsEndpoint, RefusesAnythingElse) {
    for (const char* bad :
         {"", "127.0.0.1:9464", "http://127.0.0.1:9464", "ipc:///tmp/m", "tcp://127.0.0.1",
          "tcp://:9464", "tcp://127.0.0.1:70000", "tcp://127.0.0.1:-1", "tcp://127.0.0.1:12x",
          "tcp://[::1:9464", "tcp://a/b:1"})
        EXPECT_FALSE(parse_metrics_endpoint(bad)) << bad;
}

TEST(MetricsServer, ServesTheLastPublishedSnapshot) {
    MetricsServer server(any_loopback_port, module);
    ASSERT_GT(server.port(), 0);
    EXPECT_EQ(server.url(), "http://127.0.0.1:" + std::to_string(server.port()) + "/metrics");
    httplib::Client client("127.0.0.1", server.port());
    for (const std::uint64_t published : {1u, 2u}) {
        MetricsSnapshot s;
        s.stats.published = published;
        server.publish(s);
        const auto response = client.Get("/metrics");
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 200);
        EXPECT_EQ(response->get_header_value("Content-Type"), prometheus_content_type);
        const auto m = test::parse_prometheus(response->body);
        ASSERT_EQ(m.error, "");
        EXPECT_EQ(m["zchat_broker_lobby_messages_published_total"], published);
    }
}

TEST(MetricsServer, AnyOtherPathIsNotFound) {
    MetricsServer server(any_loopback_port, module);
    httplib::Client client("127.0.0.1", server.port());
    const auto response = client.Get("/");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 404);
}

TEST(MetricsServer, ATakenPortIsABindError) {
    MetricsServer first(any_loopback_port, module);
    EXPECT_THROW(MetricsServer({"127.0.0.1", first.port()}, module), BindError);
}

TEST(MetricsServer, AMissingModuleSaysWhichFile) {
    try {
        MetricsServer server(any_loopback_port, "/nonexistent/zchat-metrics-http.so");
        FAIL() << "no error";
    } catch (const MetricsModuleError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/zchat-metrics-http.so"),
                  std::string::npos)
            << e.what();
    }
}

TEST(MetricsServer, StopsAtOnceAfterStarting) {
    // A stop that raced the serving thread's start used to be lost, and the
    // join hung: ctest's timeout would catch that here.
    for (int i = 0; i < 50; ++i) MetricsServer server(any_loopback_port, module);
}

TEST(MetricsServer, StopsWithAnIdleClientConnected) {
    auto server = std::make_unique<MetricsServer>(any_loopback_port, module);
    httplib::Client client("127.0.0.1", server->port());
    client.set_keep_alive(true);
    ASSERT_TRUE(client.Get("/metrics"));
    server.reset();  // returns: the idle connection does not hold the worker forever
    EXPECT_FALSE(client.Get("/metrics"));
}

}  // namespace
}  // namespace zchat::broker
