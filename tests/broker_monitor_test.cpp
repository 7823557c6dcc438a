// broker_monitor: the status line an operator reads in the log each minute,
// and the snapshot /metrics is given, both taken on the loop thread.
#include "broker/broker_monitor.hpp"

#include <httplib.h>

#include "tests/broker_fixture.hpp"
#include "tests/prometheus_text.hpp"

namespace zchat::broker {
namespace {

using namespace test_support;

TEST(StatusLine, SaysWhoIsOnlineAndTheRatesSinceTheLastLine) {
    Stats before, now;
    before.published = 100;
    before.refused = 4;
    now.published = 700;
    now.refused = 10;
    EXPECT_EQ(status_line(3, before, now, std::chrono::seconds{60}),
              "status: 3 online, 10.00 messages/s, 0.10 refusals/s (last 60 s)");
    EXPECT_EQ(status_line(0, now, now, std::chrono::seconds{60}),
              "status: 0 online, 0.00 messages/s, 0.00 refusals/s (last 60 s)");
}

TEST_F(BrokerTest, StatusLineIsLoggedAtInfoEachPeriod) {
    Broker broker(broker_ctx_, loop_, fast_options());
    BrokerMonitor monitor(broker, loop_, nullptr, 1s, 20ms);
    log::set_level(log::Level::info);
    ::testing::internal::CaptureStderr();
    // Many periods of the status timer.
    for (const auto until = Clock::now() + 500ms; Clock::now() < until;) loop_.run_once(20ms);
    const std::string logged = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(logged.find(" info: status: 0 online, 0.00 messages/s, 0.00 refusals/s"),
              std::string::npos)
        << logged;
}

// The monitor and its server outlive TearDown, which stops the loop they are on.
class MonitoredBrokerTest : public BrokerTest {
  protected:
    std::optional<MetricsServer> metrics_;
    std::optional<BrokerMonitor> monitor_;
};

TEST_F(MonitoredBrokerTest, MetricsShowWhatTheBrokerCountedAtTheLastSnapshot) {
    const Options options = fast_options();
    metrics_.emplace(MetricsEndpoint{"127.0.0.1", 0}, ZCHAT_METRICS_MODULE);
    broker_ = std::make_unique<Broker>(broker_ctx_, loop_, options);
    monitor_.emplace(*broker_, loop_, &*metrics_, options.heartbeat);
    rendezvous_ = broker_->rendezvous_endpoint();
    thread_ = std::thread([this] { loop_.run(); });

    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    anna.say("one");
    anna.say("two");
    ASSERT_EQ(lobby_texts(bobby, 2).size(), 2u);
    anna.expect_error(ErrorCode::self_fork, anna.fork("anna", some_endpoint, some_token));

    // The snapshot is taken each heartbeat; wait (bounded) for one after the chat.
    httplib::Client client("127.0.0.1", metrics_->port());
    test::PrometheusText m;
    for (const auto deadline = Clock::now() + 5s; Clock::now() < deadline;) {
        const auto response = client.Get("/metrics");
        ASSERT_TRUE(response);
        m = test::parse_prometheus(response->body);
        ASSERT_EQ(m.error, "");
        if (m["zchat_broker_refusals_total{code=\"self_fork\"}"] == 1) break;
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(m["zchat_broker_refusals_total{code=\"self_fork\"}"], 1);
    EXPECT_EQ(m["zchat_broker_lobby_messages_published_total"], 2);
    EXPECT_EQ(m["zchat_broker_lobby_deliveries_total"], 4);
    EXPECT_EQ(m["zchat_broker_clients_online"], 2);
    EXPECT_EQ(m["zchat_broker_history_messages"], 2);
    EXPECT_GT(m["process_open_fds"].value_or(0), 0);
    EXPECT_GT(m["process_resident_memory_bytes"].value_or(0), 0);
}

}  // namespace
}  // namespace zchat::broker
