// The host's side of the email handshake against gates that answer in every way a real one might, well or
// badly. Each gate here is a one-answer HTTP server standing in for a gate server at one moment; the real
// sluice-gate is exercised end to end in gate_test.cpp.

#include "bundle_fixture.hpp"
#include "host_process.hpp"
#include "tiny_http_server.hpp"
#include "torrent_fixture.hpp"
#include "torrent_queries.hpp"
#include "wait_until.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

namespace sluice::testing {
namespace {

using nlohmann::json;

struct gate_client_fixture : ::testing::Test {
    host_world world;
    sandbox_dir seed_dir;
    std::vector<std::unique_ptr<loopback_seed>> seeds;
    std::vector<std::unique_ptr<tiny_http_server>> gates;
    host_process host{world};
    std::array<unsigned char, 32> device =
        parse_device_key(host.call("bundle.deviceKey")["result"]["deviceKey"].get<std::string>());

    // A bundle whose manifest names `gate_url`, added to the host and verified. Returns its info-hash.
    std::string add_bundle(test_bundle& b, std::string const& gate_url) {
        b.manifest.gate_url = gate_url;
        b.write_manifest();
        auto const hash = add_seeded_folder(host, world, b.folder, seeds);
        wait_verified(host, hash);
        return hash;
    }

    // A bundle `id` whose gate answers every request with `body` and `status`; the reply to bundle.unlock.
    json unlock_through(std::string const& id, std::string body, int status,
                        std::function<std::string(test_bundle const&)> make_body = {}) {
        auto b = test_bundle::make(seed_dir.path(), id, 1, 100 * 1024);
        if (make_body) {
            body = make_body(b);
        }
        gates.push_back(std::make_unique<tiny_http_server>(std::move(body), "application/json", status));
        auto const hash = add_bundle(b, gates.back()->url("/gate/"));
        return host.call("bundle.unlock",
                         {{"infoHash", hash}, {"gate", "email"}, {"email", "viewer@example.org"}});
    }
};

TEST_F(gate_client_fixture, ATokenFromTheGateIsRedeemedAtOnce) {
    auto const reply = unlock_through("gate-ok", {}, 200, [&](test_bundle const& b) {
        return json{{"token", b.token_for(device, {"episode-1.webm.locked"})}}.dump();
    });
    ASSERT_TRUE(reply.contains("result")) << reply.dump();
    EXPECT_EQ(reply["result"]["status"], "unlocked");
    EXPECT_EQ(reply["result"]["items"], json::array({"episode-1.webm.locked"}));
    EXPECT_EQ(gates.back()->requests("/unlock/"), 1);
}

TEST_F(gate_client_fixture, ADoubleOptInGateAsksForTheCode) {
    auto const reply = unlock_through("gate-optin", R"({"confirmation":"sent","requestId":"r-42"})", 202);
    ASSERT_TRUE(reply.contains("result")) << reply.dump();
    EXPECT_EQ(reply["result"]["status"], "confirmationSent");
    EXPECT_EQ(reply["result"]["requestId"], "r-42");
}

TEST_F(gate_client_fixture, AGateThatSaysNoIsReportedWithItsReason) {
    auto const refused = unlock_through(
        "gate-refuses", R"({"error":{"code":"bad_email","message":"That address cannot receive mail."}})",
        400);
    EXPECT_EQ(refused["error"]["code"], 1108) << refused.dump();
    EXPECT_EQ(refused["error"]["data"]["gateCode"], "bad_email");
    EXPECT_EQ(refused["error"]["data"]["detail"], "That address cannot receive mail.");
}

TEST_F(gate_client_fixture, AFailingOrAbsentGateIsUnreachable) {
    auto const broken = unlock_through("gate-broken", "oops", 503);
    EXPECT_EQ(broken["error"]["code"], 1107) << broken.dump();
    EXPECT_EQ(broken["error"]["data"]["status"], 503);

    // A port nobody listens on: taken, then closed.
    int closed_port = 0;
    {
        boost::asio::io_context io;
        boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
        closed_port = probe.local_endpoint().port();
    }
    auto b = test_bundle::make(seed_dir.path(), "gate-down", 1, 100 * 1024);
    auto const hash = add_bundle(b, "http://127.0.0.1:" + std::to_string(closed_port) + "/");
    auto const down =
        host.call("bundle.unlock", {{"infoHash", hash}, {"gate", "email"}, {"email", "a@b.example"}});
    EXPECT_EQ(down["error"]["code"], 1107) << down.dump();

    // Nothing was unlocked, and the host still answers.
    auto const bundle = host.call("bundle.get", {{"infoHash", hash}})["result"];
    for (auto const& item : bundle["items"]) {
        EXPECT_NE(item.value("unlocked", false), true);
    }
    EXPECT_TRUE(host.call("host.hello").contains("result"));
}

TEST_F(gate_client_fixture, AnswersThatCannotBeUsedAreBadAnswers) {
    auto const garbage = unlock_through("gate-garbage", "<html>not json</html>", 200);
    EXPECT_EQ(garbage["error"]["code"], 1109) << garbage.dump();

    auto const huge =
        unlock_through("gate-huge", R"({"token":")" + std::string(300 * 1024, 'x') + "\"}", 200);
    EXPECT_EQ(huge["error"]["code"], 1109) << huge.dump();
    EXPECT_NE(huge["error"]["data"]["detail"].get<std::string>().find("larger than"), std::string::npos);

    auto const foreign = unlock_through("gate-foreign", {}, 200, [](test_bundle const& b) {
        return json{{"token", b.token_for(protocol::generate_box_keypair().public_key)}}.dump();
    });
    EXPECT_EQ(foreign["error"]["code"], 1109) << foreign.dump();
    EXPECT_EQ(foreign["error"]["data"]["problem"], "wrong_device");
}

TEST_F(gate_client_fixture, BadParamsAreRefusedBeforeAnythingIsSent) {
    auto b = test_bundle::make(seed_dir.path(), "gate-params", 1, 100 * 1024);
    gates.push_back(std::make_unique<tiny_http_server>("{}", "application/json", 200));
    auto const hash = add_bundle(b, gates.back()->url("/"));
    EXPECT_EQ(host.call("bundle.unlock", {{"infoHash", hash}, {"gate", "email"}})["error"]["code"], -32602);
    EXPECT_EQ(host.call("bundle.unlock",
                        {{"infoHash", hash}, {"gate", "pay"}, {"email", "a@b.c"}})["error"]["code"],
              -32602);
    EXPECT_EQ(
        host.call("bundle.unlock",
                  {{"infoHash", hash}, {"gate", "email"}, {"email", std::string(300, 'a')}})["error"]["code"],
        -32602);
    EXPECT_EQ(host.call("bundle.unlock", {{"infoHash", std::string(40, 'b')},
                                          {"gate", "email"},
                                          {"email", "a@b.c"}})["error"]["code"],
              1003);
    EXPECT_EQ(gates.back()->requests("/unlock/"), 0)
        << "the host asks the gate for translations, nothing else";
}

} // namespace
} // namespace sluice::testing
