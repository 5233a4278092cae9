// The real sluice-host against a gate server that answers badly on purpose: for every request the host
// makes of a gate, each way an answer can be broken (not JSON, the wrong shape, 50 MB, endless, a byte a
// second, 5xx, a redirect loop, a connection closed mid-body, a token or receipt signed wrongly, by another
// key, for another bundle or device, a payment page that is a script). Each case checks the three things a
// host owes its user then: it keeps answering the browser while the gate call is under way, it keeps what it
// had (an earlier unlock, the pledge record), and its error names the gate's problem. The gate is a scripted
// server that answers every other request as a good gate would: a gate whose pledges are pre-orders, each
// waiting for the backer to save a card on the payment provider's page (protocol/gate-api.md, "Pledge
// campaigns").

#include "bundle_fixture.hpp"
#include "host_process.hpp"
#include "scripted_http_server.hpp"
#include "torrent_fixture.hpp"
#include "torrent_queries.hpp"
#include "wait_until.hpp"

#include <sluice/protocol/keys.hpp>

#include <gtest/gtest.h>

#include <fstream>

namespace sluice::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using delivery = scripted_answer::delivery;

// Short, so a byte-a-second gate costs a test two seconds; the host's own default is 20.
constexpr int gate_timeout_seconds = 2;
constexpr char const* campaign_id = "camp-1";
constexpr char const* pledge_id = "pledge-1";
constexpr char const* payment_id = "payment-1";

// --- what a gate signs ---

std::string sign_receipt(protocol::signing_keypair const& key, json const& body) {
    auto const payload = body.dump();
    auto const sig = protocol::sign(payload, key);
    return json{{"format", "sluice-receipt/1"},
                {"gateKey", protocol::encode_public_key("ed25519", key.public_key)},
                {"payload", protocol::to_base64(payload)},
                {"signature", protocol::to_base64(
                                  std::string_view(reinterpret_cast<char const*>(sig.data()), sig.size()))}}
        .dump();
}

// A token envelope whose signature is over other bytes than its payload.
std::string with_bad_signature(std::string const& token, protocol::signing_keypair const& key) {
    auto envelope = json::parse(token);
    auto const sig = protocol::sign("other bytes", key);
    envelope["signature"] =
        protocol::to_base64(std::string_view(reinterpret_cast<char const*>(sig.data()), sig.size()));
    return envelope.dump();
}

// --- the calls and the ways to answer them badly ---

enum class call_kind { unlock, confirm, pay, pledge, cancel, campaign, payment_method };

struct gate_call {
    call_kind kind;
    char const* name;
    char const* method; // the host's method
    std::string path;   // the gate path the host asks, below the gate URL
    // What the host's error says when the answer is JSON of the wrong shape.
    char const* wrong_shape_words;
};

std::vector<gate_call> const calls = {
    {call_kind::unlock, "Unlock", "bundle.unlock", "/v1/bundles/hostile/unlock/email", "carries no token"},
    {call_kind::confirm, "ConfirmEmail", "bundle.confirmEmail", "/v1/bundles/hostile/unlock/email/confirm",
     "carries no token"},
    {call_kind::pay, "Pay", "bundle.unlock", "/v1/bundles/hostile/unlock/pay", "no payment id"},
    {call_kind::pledge, "Pledge", "bundle.pledge", "/v1/campaigns/camp-1/pledges", "no pledge id"},
    {call_kind::cancel, "Cancel", "bundle.cancelPledge", "/v1/campaigns/camp-1/pledges/pledge-1/cancel",
     "no pledge id"},
    {call_kind::campaign, "Campaign", "bundle.campaign", "/v1/campaigns/camp-1", "not what its API promises"},
    {call_kind::payment_method, "PaymentMethod", "bundle.updatePledgePayment",
     "/v1/campaigns/camp-1/pledges/pledge-1/payment-method", "not about pledge pledge-1"},
};

// The ways of answering badly. Signed ones only make sense for the calls whose answers carry a signature.
enum class hostile {
    malformed_json,
    wrong_shape,
    not_an_object,
    oversized,
    endless_chunked,
    slow,
    server_error,
    redirect_loop,
    closed_mid_body,
    bad_signature,
    other_key,
    other_bundle,
    other_device,
    other_amount,
    // A provider's page that is not a web page: the extension would open it in a tab.
    script_checkout,
};

struct hostile_case {
    hostile how;
    char const* name;
    int code;            // the error code the browser gets
    char const* words;   // what its message must say; null: the call's wrong_shape_words
    char const* problem; // data.problem, for tokens
};

std::vector<hostile_case> const generic_answers = {
    {hostile::malformed_json, "MalformedJson", 1109, "not JSON", nullptr},
    {hostile::wrong_shape, "WrongShape", 1109, nullptr, nullptr},
    {hostile::not_an_object, "NotAnObject", 1109, "not an object", nullptr},
    {hostile::oversized, "Oversized50MB", 1109, "larger than", nullptr},
    {hostile::endless_chunked, "EndlessChunked", 1109, "larger than", nullptr},
    {hostile::slow, "AByteASecond", 1107, "within 2 s", nullptr},
    {hostile::server_error, "ServerError", 1107, "HTTP 503", nullptr},
    {hostile::redirect_loop, "RedirectLoop", 1109, "redirect", nullptr},
    {hostile::closed_mid_body, "ClosedMidBody", 1107, "closed the connection", nullptr},
};

// The signed answers: each call's own, with what the host must say of each.
std::vector<std::pair<call_kind, hostile_case>> const signed_answers = {
    {call_kind::unlock, {hostile::bad_signature, "BadSignature", 1109, "signature", "bad_signature"}},
    {call_kind::unlock, {hostile::other_key, "OtherKey", 1109, "refused", "untrusted_gate_key"}},
    {call_kind::unlock, {hostile::other_bundle, "OtherBundle", 1109, "refused", "wrong_bundle"}},
    {call_kind::unlock, {hostile::other_device, "OtherDevice", 1109, "refused", "wrong_device"}},
    {call_kind::confirm, {hostile::bad_signature, "BadSignature", 1109, "signature", "bad_signature"}},
    {call_kind::confirm, {hostile::other_bundle, "OtherBundle", 1109, "refused", "wrong_bundle"}},
    {call_kind::pledge, {hostile::bad_signature, "BadSignature", 1109, "signature does not match", nullptr}},
    {call_kind::pledge, {hostile::other_key, "OtherKey", 1109, "does not trust", nullptr}},
    {call_kind::pledge, {hostile::other_bundle, "OtherPledge", 1109, "not the pledge receipt", nullptr}},
    {call_kind::pledge, {hostile::other_device, "OtherDevice", 1109, "another device", nullptr}},
    {call_kind::pledge, {hostile::other_amount, "OtherAmount", 1109, "amount of 9900", nullptr}},
    {call_kind::cancel, {hostile::bad_signature, "BadSignature", 1109, "signature does not match", nullptr}},
    {call_kind::cancel, {hostile::other_key, "OtherKey", 1109, "does not trust", nullptr}},
    {call_kind::cancel, {hostile::other_bundle, "OtherPledge", 1109, "another pledge", nullptr}},
    {call_kind::cancel, {hostile::other_device, "OtherDevice", 1109, "another device", nullptr}},
    {call_kind::campaign, {hostile::other_bundle, "OtherCampaign", 1109, "another campaign", nullptr}},
    {call_kind::pay, {hostile::other_bundle, "OtherBundle", 1109, "another bundle", nullptr}},
    {call_kind::pay,
     {hostile::script_checkout, "ScriptCheckoutUrl", 1109, "no payment id or checkout URL", nullptr}},
    {call_kind::pledge, {hostile::script_checkout, "ScriptCheckoutUrl", 1109, "no checkout URL", nullptr}},
    {call_kind::payment_method,
     {hostile::other_bundle, "OtherPledge", 1109, "not about pledge pledge-1", nullptr}},
    {call_kind::payment_method,
     {hostile::script_checkout, "ScriptCheckoutUrl", 1109, "no checkout URL", nullptr}},
};

struct hostile_param {
    gate_call call;
    hostile_case answer;
};

std::vector<hostile_param> all_cases() {
    std::vector<hostile_param> out;
    for (auto const& call : calls) {
        for (auto const& answer : generic_answers) {
            out.push_back({call, answer});
        }
        for (auto const& [kind, answer] : signed_answers) {
            if (kind == call.kind) {
                out.push_back({call, answer});
            }
        }
    }
    return out;
}

// --- the world: a host, a bundle with every gate, and a scripted gate ---

class hostile_gate_world {
    // First: the host below lives in this world and talks to this gate.
    host_world world_;
    sandbox_dir seed_dir_;
    std::vector<std::unique_ptr<loopback_seed>> seeds_;
    scripted_http_server gate_;

public:
    hostile_gate_world()
        : world_(json{{"gatePollSeconds", 1}, {"gateTimeoutSeconds", gate_timeout_seconds}}.dump()),
          gate_([this](scripted_request const& r) { return good_answer(r); }) {
        device_text_ = host.call("bundle.deviceKey")["result"]["deviceKey"].get<std::string>();
        device_ = parse_device_key(device_text_);
        bundle_ = make_bundle("hostile");
        hash_ = add(bundle_);
    }

    host_process host{world_};

    scripted_http_server& gate() { return gate_; }
    std::string const& hash() const { return hash_; }
    test_bundle const& bundle() const { return bundle_; }
    std::string log() const {
        std::ifstream in(world_.data_dir() / "logs" / "host.log");
        return {std::istreambuf_iterator<char>(in), {}};
    }

    // A second bundle in the session whose gate keys are the first one's, as one creator's bundles share a
    // gate: a token for it is signed by a key the first bundle trusts too.
    std::string add_neighbour() {
        neighbour_ = make_bundle("neighbour");
        neighbour_.gate = bundle_.gate;
        neighbour_.manifest.gate_keys = {bundle_.gate.public_key};
        neighbour_.write_manifest();
        neighbour_hash_ = add(neighbour_);
        return neighbour_hash_;
    }
    test_bundle const& neighbour() const { return neighbour_; }
    std::string const& neighbour_hash() const { return neighbour_hash_; }

    // The items of `hash` that are unlocked.
    std::set<std::string> unlocked(std::string const& hash) {
        std::set<std::string> out;
        auto const got = host.call("bundle.get", {{"infoHash", hash}});
        for (auto const& item : got["result"]["items"]) {
            if (item.value("unlocked", false)) {
                out.insert(item["path"].get<std::string>());
            }
        }
        return out;
    }

    // The gate's answer when nothing is wrong with it.
    scripted_answer good_answer(scripted_request const& r) {
        auto const is = [&](std::string const& method, std::string const& path) {
            return r.method == method && r.target == path;
        };
        if (is("POST", "/v1/bundles/hostile/unlock/email") ||
            is("POST", "/v1/bundles/hostile/unlock/email/confirm")) {
            return {delivery::whole, 200, json{{"token", episode_token()}}.dump()};
        }
        if (is("POST", "/v1/bundles/hostile/unlock/pay")) {
            return {delivery::whole, 201, payment_created().dump()};
        }
        if (is("GET", std::string("/v1/payments/") + payment_id)) {
            return {delivery::whole, 200, payment_pending().dump()};
        }
        if (is("GET", "/v1/campaigns/camp-1")) {
            return {delivery::whole, 200, progress().dump()};
        }
        if (is("POST", "/v1/campaigns/camp-1/pledges")) {
            return {delivery::whole, 201, pledged().dump()};
        }
        if (is("GET", "/v1/campaigns/camp-1/pledges/pledge-1")) {
            return {delivery::whole, 200, pledge_status().dump()};
        }
        if (is("POST", "/v1/campaigns/camp-1/pledges/pledge-1/cancel")) {
            return {delivery::whole, 200, cancelled().dump()};
        }
        if (is("POST", "/v1/campaigns/camp-1/pledges/pledge-1/payment-method")) {
            return {delivery::whole, 200, payment_method().dump()};
        }
        return {delivery::whole, 404, R"({"error":{"code":"not_found","message":"no such path"}})"};
    }

    std::string episode_token(protocol::signing_keypair const* signer = nullptr) const {
        return bundle_.token_for(device_, {"episode-1.webm.locked"}, std::nullopt, signer);
    }
    std::string booklet_token() const { return bundle_.token_for(device_, {"booklet.pdf.locked"}); }

    json payment_created() const {
        return {{"paymentId", payment_id}, {"bundleId", "hostile"}, {"state", "pending"},
                {"amount", 500},           {"currency", "EUR"},     {"checkoutUrl", "https://pay.example/c"}};
    }
    json payment_pending() const {
        return {{"paymentId", payment_id},
                {"bundleId", "hostile"},
                {"state", "pending"},
                {"amount", 500},
                {"currency", "EUR"}};
    }
    json progress() const {
        return {{"campaignId", campaign_id},
                {"bundleId", "hostile"},
                {"state", "open"},
                {"backers", 3},
                {"amount", 4500},
                {"goalBackers", 10},
                {"price", 1500},
                {"currency", "EUR"},
                {"deliveries", json::array()}};
    }
    json receipt_body(char const* kind) const {
        return {{"kind", kind},
                {"pledgeId", pledge_id},
                {"campaignId", campaign_id},
                {"bundleId", "hostile"},
                {"amount", 2000},
                {"currency", "EUR"},
                {"device", device_text_},
                {"at", "2026-01-01T00:00:00Z"}};
    }
    json pledged(json receipt = {}) const {
        return {{"pledgeId", pledge_id},
                {"campaignId", campaign_id},
                {"state", "pending"},
                {"amount", 2000},
                {"currency", "EUR"},
                {"checkoutUrl", setup_page},
                {"chargedOn", "2030-01-01T00:00:00Z"},
                {"receipt",
                 receipt.is_null() ? json(sign_receipt(bundle_.gate, receipt_body("pledge"))) : receipt}};
    }
    json payment_method() const { return {{"pledgeId", pledge_id}, {"checkoutUrl", setup_page}}; }
    json cancelled(json receipt = {}) const {
        return {{"pledgeId", pledge_id},
                {"campaignId", campaign_id},
                {"state", "cancelled"},
                {"receipt", receipt.is_null() ? json(sign_receipt(bundle_.gate, receipt_body("cancellation")))
                                              : receipt}};
    }
    // The backer has not saved a card yet: the pledge waits on the provider's page.
    json pledge_status() const {
        return {{"pledgeId", pledge_id},
                {"campaignId", campaign_id},
                {"state", "pending"},
                {"amount", 2000},
                {"currency", "EUR"},
                {"campaignState", "open"},
                {"chargedOn", "2030-01-01T00:00:00Z"},
                {"checkoutUrl", setup_page}};
    }

    static constexpr char const* setup_page = "https://pay.example/setup/cs_1";

    std::string const& device_text() const { return device_text_; }

    // Sends `method` and, right behind it, host.hello; returns the call's reply, after checking that the
    // hello was answered promptly whatever the gate was doing.
    json call_while_hello(std::string const& method, json params) {
        int const call_id = 900001 + sent_++ * 2;
        int const hello_id = call_id + 1;
        host.send({{"jsonrpc", "2.0"}, {"id", call_id}, {"method", method}, {"params", std::move(params)}});
        auto const sent = std::chrono::steady_clock::now();
        host.send(
            {{"jsonrpc", "2.0"}, {"id", hello_id}, {"method", "host.hello"}, {"params", json::object()}});
        std::optional<json> reply;
        std::optional<std::chrono::steady_clock::duration> hello_after;
        auto const deadline = sent + std::chrono::seconds(gate_timeout_seconds + 8);
        while ((!reply || !hello_after) && std::chrono::steady_clock::now() < deadline) {
            auto message = host.read_message(std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()));
            if (!message) {
                break;
            }
            auto const id = message->value("id", json());
            if (id == call_id) {
                reply = std::move(*message);
            } else if (id == hello_id) {
                EXPECT_TRUE(message->contains("result")) << message->dump();
                hello_after = std::chrono::steady_clock::now() - sent;
            } else if (!message->contains("id")) {
                host.events.push_back(std::move(*message));
            }
        }
        EXPECT_TRUE(hello_after.has_value()) << "host.hello was not answered";
        if (hello_after) {
            EXPECT_LT(*hello_after, 1500ms) << "host.hello waited for the gate";
        }
        if (!reply) {
            ADD_FAILURE() << method << " was not answered within the gate's deadline and 8 s";
            return json::object();
        }
        return *reply;
    }

private:
    test_bundle make_bundle(std::string const& id) {
        auto b = test_bundle::make(seed_dir_.path(), id, 1, 100 * 1024);
        b.manifest.gate_url = gate_.url("/");
        protocol::pledge_gate p;
        p.campaign_id = campaign_id;
        p.goal_backers = 10;
        p.deadline = "2030-01-01T00:00:00Z";
        p.deadline_unix = 1893456000;
        p.price = 1500;
        p.currency = "EUR";
        p.expected_delivery = "2030-06-01";
        p.if_goal_missed = "Nothing is charged.";
        b.manifest.gates.pledge = p;
        b.write_manifest();
        return b;
    }

    std::string add(test_bundle const& b) {
        auto const hash = add_seeded_folder(host, world_, b.folder, seeds_);
        wait_verified(host, hash);
        return hash;
    }

    std::string device_text_;
    std::array<unsigned char, 32> device_{};
    test_bundle bundle_;
    std::string hash_;
    test_bundle neighbour_;
    std::string neighbour_hash_;
    int sent_ = 0;
};

// --- browser-facing calls ---

class HostileGate : public ::testing::TestWithParam<hostile_param> {
protected:
    // The bad answer of this case to the request under test.
    scripted_answer bad_answer(scripted_request const& r) {
        auto const& [call, answer] = GetParam();
        auto& w = *w_;
        switch (answer.how) {
        case hostile::malformed_json:
            return {delivery::whole, 200, R"({"token": "abc", "pledgeId": )"};
        case hostile::wrong_shape:
            return {
                delivery::whole, call.kind == call_kind::pay ? 201 : 200,
                R"({"token":42,"pledgeId":7,"paymentId":[],"receipt":false,"campaignId":null,"state":{}})"};
        case hostile::not_an_object:
            return {delivery::whole, 200, R"(["token", "pledgeId", 1, 2, 3])"};
        case hostile::oversized:
            return {delivery::endless_length, 200, {}};
        case hostile::endless_chunked:
            return {delivery::endless_chunked, 200, {}};
        case hostile::slow: {
            auto good = w.good_answer(r);
            good.how = delivery::trickle;
            good.interval = 1000ms;
            return good;
        }
        case hostile::server_error:
            return {delivery::whole, 503,
                    R"({"error":{"code":"internal_error","message":"storage failed"}})"};
        case hostile::redirect_loop:
            return {delivery::redirect_loop, 302, {}};
        case hostile::closed_mid_body: {
            auto good = w.good_answer(r);
            good.how = delivery::close_mid_body;
            return good;
        }
        default:
            return signed_answer(call.kind, answer.how);
        }
    }

    scripted_answer signed_answer(call_kind kind, hostile how) {
        auto& w = *w_;
        auto const other_key = protocol::generate_signing_keypair();
        auto const other_device = protocol::generate_box_keypair().public_key;
        auto const other_device_text = protocol::encode_public_key("x25519", other_device);
        if (how == hostile::script_checkout) {
            auto answer = kind == call_kind::pledge ? w.pledged()
                          : kind == call_kind::pay  ? w.payment_created()
                                                    : w.payment_method();
            answer["checkoutUrl"] = "javascript:alert(document.cookie)";
            return {delivery::whole, kind == call_kind::payment_method ? 200 : 201, answer.dump()};
        }
        if (kind == call_kind::payment_method) {
            auto answer = w.payment_method();
            answer["pledgeId"] = "pledge-of-someone-else";
            return {delivery::whole, 200, answer.dump()};
        }
        if (kind == call_kind::unlock || kind == call_kind::confirm) {
            std::string token;
            switch (how) {
            case hostile::bad_signature:
                token = with_bad_signature(w.episode_token(), w.bundle().gate);
                break;
            case hostile::other_key:
                token = w.episode_token(&other_key);
                break;
            case hostile::other_bundle:
                token = w.neighbour().token_for(parse_device_key(w.device_text()), {"episode-1.webm.locked"});
                break;
            default:
                token = w.bundle().token_for(other_device, {"episode-1.webm.locked"});
                break;
            }
            return {delivery::whole, 200, json{{"token", token}}.dump()};
        }
        if (kind == call_kind::pledge || kind == call_kind::cancel) {
            auto body = w.receipt_body(kind == call_kind::pledge ? "pledge" : "cancellation");
            auto signer = &w.bundle().gate;
            switch (how) {
            case hostile::bad_signature: {
                auto envelope = json::parse(sign_receipt(*signer, body));
                body["amount"] = 1;
                envelope["payload"] = protocol::to_base64(body.dump());
                auto const answer =
                    kind == call_kind::pledge ? w.pledged(envelope.dump()) : w.cancelled(envelope.dump());
                return {delivery::whole, 200, answer.dump()};
            }
            case hostile::other_key:
                signer = &other_key;
                break;
            case hostile::other_bundle:
                body["pledgeId"] = "pledge-of-someone-else";
                break;
            case hostile::other_device:
                body["device"] = other_device_text;
                break;
            default:
                body["amount"] = 9900;
                break;
            }
            auto answer = kind == call_kind::pledge ? w.pledged(sign_receipt(*signer, body))
                                                    : w.cancelled(sign_receipt(*signer, body));
            if (how == hostile::other_bundle && kind == call_kind::cancel) {
                answer["pledgeId"] = "pledge-of-someone-else";
            }
            return {delivery::whole, kind == call_kind::pledge ? 201 : 200, answer.dump()};
        }
        if (kind == call_kind::campaign) {
            auto progress = w.progress();
            progress["campaignId"] = "camp-other";
            return {delivery::whole, 200, progress.dump()};
        }
        auto created = w.payment_created();
        created["bundleId"] = "neighbour";
        return {delivery::whole, 201, created.dump()};
    }

    void SetUp() override {
        w_ = std::make_unique<hostile_gate_world>();
        auto const& [call, answer] = GetParam();
        if (answer.how == hostile::other_bundle &&
            (call.kind == call_kind::unlock || call.kind == call_kind::confirm)) {
            w_->add_neighbour();
        }
        // What the host has before the bad answer: the episode unlocked by email, and for the calls about a
        // pledge, a pledge the gate acknowledged.
        auto const unlocked = w_->host.call(
            "bundle.unlock", {{"infoHash", w_->hash()}, {"gate", "email"}, {"email", "viewer@example.org"}});
        ASSERT_EQ(unlocked["result"]["status"], "unlocked") << unlocked.dump();
        if (call.kind == call_kind::cancel || call.kind == call_kind::campaign ||
            call.kind == call_kind::payment_method) {
            auto const pledged = w_->host.call("bundle.pledge", {{"infoHash", w_->hash()}, {"amount", 2000}});
            ASSERT_EQ(pledged["result"]["status"], "pledged") << pledged.dump();
        }
    }

    void TearDown() override { w_.reset(); }

    json params() const {
        auto const& call = GetParam().call;
        switch (call.kind) {
        case call_kind::unlock:
            return {{"infoHash", w_->hash()}, {"gate", "email"}, {"email", "viewer@example.org"}};
        case call_kind::confirm:
            return {{"infoHash", w_->hash()}, {"requestId", "r-1"}, {"code", "123456"}};
        case call_kind::pay:
            return {{"infoHash", w_->hash()}, {"gate", "pay"}, {"amount", 500}};
        case call_kind::pledge:
            return {{"infoHash", w_->hash()}, {"amount", 2000}};
        default:
            return {{"infoHash", w_->hash()}};
        }
    }

    std::unique_ptr<hostile_gate_world> w_;
};

TEST_P(HostileGate, TheHostAnswersKeepsWhatItHadAndNamesTheProblem) {
    auto const& [call, answer] = GetParam();
    auto& w = *w_;
    auto const path = call.path;
    w.gate().set_script([this, path](scripted_request const& r) {
        return r.target == path ? bad_answer(r) : w_->good_answer(r);
    });
    auto const started = std::chrono::steady_clock::now();
    auto const reply = w.call_while_hello(call.method, params());
    auto const took = std::chrono::steady_clock::now() - started;

    // Says what went wrong.
    ASSERT_TRUE(reply.contains("error")) << reply.dump();
    EXPECT_EQ(reply["error"]["code"], answer.code) << reply.dump();
    auto const detail = reply["error"]["data"].value("detail", "");
    auto const* words = answer.words ? answer.words : call.wrong_shape_words;
    EXPECT_NE(detail.find(words), std::string::npos) << "expected \"" << words << "\" in: " << reply.dump();
    if (answer.problem) {
        EXPECT_EQ(reply["error"]["data"].value("problem", ""), answer.problem) << reply.dump();
    }
    if (answer.how == hostile::server_error) {
        EXPECT_EQ(reply["error"]["data"]["status"], 503);
    }
    if (call.kind == call_kind::pay || call.kind == call_kind::pledge) {
        EXPECT_EQ(reply["error"]["data"]["willRetry"], true) << reply.dump();
    }
    // Within the deadline, whatever the gate does.
    EXPECT_LT(took, std::chrono::seconds(gate_timeout_seconds + 3));
    EXPECT_GE(w.gate().requests(path), 1);

    // Keeps what it had: the earlier unlock, nothing more; the pledge as the gate last acknowledged it.
    EXPECT_EQ(w.unlocked(w.hash()), std::set<std::string>{"episode-1.webm.locked"});
    if (!w.neighbour_hash().empty()) {
        EXPECT_TRUE(w.unlocked(w.neighbour_hash()).empty()) << "a token for another bundle was taken";
    }
    w.gate().set_script([this](scripted_request const& r) { return w_->good_answer(r); });
    if (call.kind == call_kind::pledge || call.kind == call_kind::cancel ||
        call.kind == call_kind::campaign || call.kind == call_kind::payment_method) {
        auto const now = w.host.call("bundle.campaign", {{"infoHash", w.hash()}});
        ASSERT_TRUE(now.contains("result")) << now.dump();
        auto const& pledge = now["result"]["pledge"];
        if (call.kind == call_kind::pledge) {
            // Kept unacknowledged, to be sent again with its key; never taken as pledged on a bad answer.
            EXPECT_NE(pledge.value("state", ""), "refused") << now.dump();
        } else {
            EXPECT_EQ(pledge["state"], "pending") << now.dump();
            EXPECT_EQ(pledge["receipts"], 1) << now.dump();
            EXPECT_EQ(pledge["checkoutUrl"], hostile_gate_world::setup_page) << now.dump();
        }
    }
    EXPECT_TRUE(w.host.call("torrent.list").contains("result"));
}

std::string case_name(::testing::TestParamInfo<hostile_param> const& info) {
    return std::string(info.param.call.name) + "_" + info.param.answer.name;
}

INSTANTIATE_TEST_SUITE_P(EveryCall, HostileGate, ::testing::ValuesIn(all_cases()), case_name);

// --- what the host follows on its own: payments and pledges ---

enum class followed { payment, pledge };

struct follow_case {
    char const* name;
    followed what;
    // The bad status answer, given the world.
    std::function<scripted_answer(hostile_gate_world&)> answer;
    char const* log_words; // what the host's log says of it
};

scripted_answer json_answer(json const& body) {
    return {delivery::whole, 200, body.dump()};
}

std::vector<follow_case> const follow_cases = {
    {"PaymentMalformedJson", followed::payment,
     [](hostile_gate_world&) {
         return scripted_answer{delivery::whole, 200, "{\"state\":"};
     },
     "not JSON"},
    {"PaymentSlow", followed::payment,
     [](hostile_gate_world& w) {
         return scripted_answer{delivery::trickle, 200, w.payment_pending().dump(), 1000ms};
     },
     "within 2 s"},
    {"PaymentPaidWithTokenForOtherBundle", followed::payment,
     [](hostile_gate_world& w) {
         auto body = w.payment_pending();
         body["state"] = "paid";
         body["token"] = w.neighbour().token_for(parse_device_key(w.device_text()), {"booklet.pdf.locked"});
         return json_answer(body);
     },
     "wrong_bundle"},
    {"PaymentPaidWithTokenSignedByOtherKey", followed::payment,
     [](hostile_gate_world& w) {
         auto body = w.payment_pending();
         body["state"] = "paid";
         auto const other = protocol::generate_signing_keypair();
         body["token"] = w.bundle().token_for(parse_device_key(w.device_text()), {"booklet.pdf.locked"},
                                              std::nullopt, &other);
         return json_answer(body);
     },
     "not taken"},
    {"PaymentPaidForAnotherPayment", followed::payment,
     [](hostile_gate_world& w) {
         auto body = w.payment_pending();
         body["state"] = "paid";
         body["paymentId"] = "payment-of-someone-else";
         body["token"] = w.booklet_token();
         return json_answer(body);
     },
     "not about payment"},
    {"PledgeFundedWithTokenForOtherBundle", followed::pledge,
     [](hostile_gate_world& w) {
         auto body = w.pledge_status();
         body["state"] = "charged";
         body["campaignState"] = "funded";
         body["token"] = w.neighbour().token_for(parse_device_key(w.device_text()));
         body["deliveries"] = json::array();
         return json_answer(body);
     },
     "wrong_bundle"},
    {"PledgeFundedWithTokenForOtherDevice", followed::pledge,
     [](hostile_gate_world& w) {
         auto body = w.pledge_status();
         body["state"] = "charged";
         body["campaignState"] = "funded";
         body["token"] = w.bundle().token_for(protocol::generate_box_keypair().public_key);
         body["deliveries"] = json::array();
         return json_answer(body);
     },
     "wrong_device"},
    {"PledgeFailedWithBadRelease", followed::pledge,
     [](hostile_gate_world& w) {
         auto body = w.pledge_status();
         body["state"] = "released";
         body["campaignState"] = "failed";
         auto receipt = w.receipt_body("release");
         body["release"] = sign_receipt(protocol::generate_signing_keypair(), receipt);
         return json_answer(body);
     },
     "release was refused"},
    {"PledgeCancelledSaysAnotherPledge", followed::pledge,
     [](hostile_gate_world& w) {
         auto body = w.pledge_status();
         body["pledgeId"] = "pledge-of-someone-else";
         body["state"] = "cancelled";
         return json_answer(body);
     },
     "not about pledge"},
    {"PledgeStatusWrongShape", followed::pledge,
     [](hostile_gate_world&) {
         return json_answer(json{{"pledgeId", 1}, {"campaignState", json::array()}});
     },
     "not about pledge"},
};

class HostileGateFollowed : public ::testing::TestWithParam<follow_case> {};

TEST_P(HostileGateFollowed, TheRecordStaysAndTheLogSaysWhy) {
    auto const& c = GetParam();
    hostile_gate_world w;
    auto const neighbour = w.add_neighbour();
    std::string path;
    if (c.what == followed::payment) {
        auto const paid =
            w.host.call("bundle.unlock", {{"infoHash", w.hash()}, {"gate", "pay"}, {"amount", 500}});
        ASSERT_EQ(paid["result"]["status"], "checkout") << paid.dump();
        path = std::string("/v1/payments/") + payment_id;
    } else {
        auto const pledged = w.host.call("bundle.pledge", {{"infoHash", w.hash()}, {"amount", 2000}});
        ASSERT_EQ(pledged["result"]["status"], "pledged") << pledged.dump();
        path = "/v1/campaigns/camp-1/pledges/pledge-1";
    }
    auto const bad = c.answer(w);
    auto const before = w.gate().requests(path);
    w.gate().set_script(
        [&w, path, bad](scripted_request const& r) { return r.target == path ? bad : w.good_answer(r); });
    // The host asks on its own (every second here); it answers the browser all the while.
    EXPECT_TRUE(wait_until(
        [&] {
            auto const hello = w.call_while_hello("torrent.list", json::object());
            EXPECT_TRUE(hello.contains("result"));
            return w.gate().requests(path) >= before + 2;
        },
        20s, 200ms));
    EXPECT_TRUE(wait_until([&] { return w.log().find(c.log_words) != std::string::npos; }, 10s, 100ms))
        << "the log does not say \"" << c.log_words << "\":\n"
        << w.log().substr(w.log().size() > 3000 ? w.log().size() - 3000 : 0);

    // Nothing was unlocked on the bad answer, here or in the neighbour.
    EXPECT_EQ(w.unlocked(w.hash()), std::set<std::string>{});
    EXPECT_EQ(w.unlocked(neighbour), std::set<std::string>{});
    for (auto const& e : w.host.events) {
        auto const method = e.value("method", "");
        EXPECT_NE(method, "bundle.unlocked") << e.dump();
        EXPECT_NE(method, "payment.updated") << e.dump();
        EXPECT_NE(method, "campaign.funded") << e.dump();
        EXPECT_NE(method, "campaign.released") << e.dump();
        EXPECT_NE(method, "campaign.chargeFailed") << e.dump();
    }
    w.gate().set_script([&w](scripted_request const& r) { return w.good_answer(r); });
    if (c.what == followed::pledge) {
        auto const now = w.host.call("bundle.campaign", {{"infoHash", w.hash()}});
        EXPECT_EQ(now["result"]["pledge"]["state"], "pending") << now.dump();
        EXPECT_EQ(now["result"]["pledge"]["receipts"], 1) << now.dump();
        EXPECT_EQ(now["result"]["pledge"]["checkoutUrl"], hostile_gate_world::setup_page) << now.dump();
    }
}

INSTANTIATE_TEST_SUITE_P(Background, HostileGateFollowed, ::testing::ValuesIn(follow_cases),
                         [](::testing::TestParamInfo<follow_case> const& info) { return info.param.name; });

} // namespace
} // namespace sluice::testing
