// metrics_snapshot: the Prometheus text a snapshot renders to, read back by a
// strict parser (which is itself shown to refuse broken text).
#include "broker/metrics_snapshot.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "patterns/protocol.hpp"
#include "patterns/version.hpp"
#include "tests/prometheus_text.hpp"

namespace zchat::broker {
namespace {

using protocol::ErrorCode;
using test::parse_prometheus;

MetricsSnapshot sample_snapshot() {
    MetricsSnapshot s;
    s.stats.registered = 7;
    s.stats.published = 42;
    s.stats.room_published = 9;
    s.stats.room_deliveries = 18;
    s.tickets = {11, 4, 2};
    s.stats.deliveries = 120;
    s.stats.refused = 5;
    s.stats.rate_limited = 3;
    s.stats.unroutable = 2;
    s.stats.refused_by_code[static_cast<std::size_t>(ErrorCode::rate_limited)] = 2;
    s.stats.refused_by_code[static_cast<std::size_t>(ErrorCode::busy)] = 1;
    s.stats.refused_by_code[static_cast<std::size_t>(ErrorCode::bad_name)] = 2;
    s.online = 3;
    s.history = 40;
    s.resident_bytes = 12345678;
    s.open_fds = 17;
    s.uptime_seconds = 61.25;
    return s;
}

TEST(MetricsSnapshot, RendersValidPrometheusTextWithEveryFigure) {
    const auto text = render_prometheus(sample_snapshot());
    const auto m = parse_prometheus(text);
    ASSERT_EQ(m.error, "") << text;
    EXPECT_EQ(m["zchat_broker_clients_online"], 3);
    EXPECT_EQ(m["zchat_broker_registrations_total"], 7);
    EXPECT_EQ(m["zchat_broker_lobby_messages_published_total"], 42);
    EXPECT_EQ(m["zchat_broker_room_messages_published_total"], 9);
    EXPECT_EQ(m["zchat_broker_room_deliveries_total"], 18);
    EXPECT_EQ(m["zchat_broker_tickets_total{outcome=\"applied\"}"], 11);
    EXPECT_EQ(m["zchat_broker_tickets_total{outcome=\"deferred\"}"], 4);
    EXPECT_EQ(m["zchat_broker_tickets_total{outcome=\"ignored\"}"], 2);
    EXPECT_EQ(m["zchat_broker_lobby_deliveries_total"], 120);
    EXPECT_EQ(m["zchat_broker_rate_limited_total"], 3);
    EXPECT_EQ(m["zchat_broker_unroutable_replies_total"], 2);
    EXPECT_EQ(m["zchat_broker_history_messages"], 40);
    EXPECT_EQ(m["process_resident_memory_bytes"], 12345678);
    EXPECT_EQ(m["process_open_fds"], 17);
    EXPECT_EQ(m["zchat_broker_uptime_seconds"], 61.25);
    EXPECT_EQ(m.types.at("zchat_broker_registrations_total"), "counter");
    EXPECT_EQ(m.types.at("zchat_broker_clients_online"), "gauge");
}

TEST(MetricsSnapshot, BuildInfoNamesTheVersionAndTheProtocol) {
    const auto m = parse_prometheus(render_prometheus({}));
    ASSERT_EQ(m.error, "");
    EXPECT_EQ(m["zchat_build_info{version=\"" + std::string(project_version) + "\",protocol=\"" +
                std::to_string(+protocol::version) + "\"}"],
              1);
}

TEST(MetricsSnapshot, EveryErrorCodeHasItsOwnSampleUnderItsName) {
    const auto m = parse_prometheus(render_prometheus(sample_snapshot()));
    ASSERT_EQ(m.error, "");
    double sum = 0;
    for (const auto& [code, name] : protocol::error_code_names) {
        const auto v = m["zchat_broker_refusals_total{code=\"" + std::string(name) + "\"}"];
        ASSERT_TRUE(v.has_value()) << name;
        sum += *v;
    }
    EXPECT_EQ(m["zchat_broker_refusals_total{code=\"rate_limited\"}"], 2);
    EXPECT_EQ(m["zchat_broker_refusals_total{code=\"busy\"}"], 1);
    EXPECT_EQ(m["zchat_broker_refusals_total{code=\"bad_name\"}"], 2);
    EXPECT_EQ(m["zchat_broker_refusals_total{code=\"bad_message\"}"], 0);
    EXPECT_EQ(sum, 5);
}

TEST(PrometheusText, RefusesWhatPromtoolRefuses) {
    const std::string ok = "# HELP a_total x\n# TYPE a_total counter\na_total 1\n";
    ASSERT_EQ(parse_prometheus(ok).error, "");
    for (const std::string& bad : std::vector<std::string>{
             "# HELP a x\n# TYPE a counter\na 1\n",           // counter without _total
             "# TYPE a_total counter\na_total 1\n",           // no HELP
             "# HELP a_total x\na_total 1\n",                 // no TYPE
             ok + "# HELP a_total again\n",                   // HELP after samples
             ok + "a_total 2\n",                              // series twice
             ok.substr(0, ok.size() - 1),                     // no final newline
             ok + "\n",                                       // empty line
             "# HELP a x\n# TYPE a gauge\na{l=\"\\x\"} 1\n",  // bad escape
             "# HELP a x\n# TYPE a gauge\na{l=\"v} 1\n",      // open quote
             "# HELP a x\n# TYPE a gauge\na one\n",           // not a number
             "# HELP a x\n# TYPE a gaug\na 1\n",              // unknown type
         })
        EXPECT_NE(parse_prometheus(bad).error, "") << bad;
}

}  // namespace
}  // namespace zchat::broker
