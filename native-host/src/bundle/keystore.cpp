#include "bundle/keystore.hpp"

#include "base/log.hpp"

#include <sluice/fileio/atomic_file.hpp>
#include <sluice/fileio/file_io.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <algorithm>
#include <chrono>
#include <functional>

namespace sluice::bundle {

namespace {

using nlohmann::json;
constexpr std::string_view keystore_format = "sluice-keystore/1";
// Far above what a person's unlocks, pledges and payments fill; a larger file is not read into memory.
constexpr std::size_t max_keystore_bytes = 64 * 1024 * 1024;

// Fills `store`'s parts from the file's JSON; false if anything is missing or malformed.
bool read_keystore(json const& j, protocol::box_keypair& device, std::map<std::string, known_bundle>& bundles,
                   std::vector<stored_token>& tokens, std::vector<gate_api::pledge_record>& pledges,
                   std::vector<gate_api::payment_record>& payments) {
    if (!j.is_object() || j.value("format", "") != keystore_format) {
        return false;
    }
    auto const& d = j.at("device");
    auto const pub = protocol::decode_public_key("x25519", d.at("publicKey").get<std::string>());
    auto const secret = protocol::from_base64(d.at("secretKey").get<std::string>());
    if (!pub || !secret || secret->size() != device.secret_key.size()) {
        return false;
    }
    device.public_key = *pub;
    std::copy(secret->begin(), secret->end(), device.secret_key.begin());
    for (auto const& [id, b] : j.at("bundles").items()) {
        auto const key = protocol::decode_public_key("ed25519", b.at("publisherKey").get<std::string>());
        if (!key) {
            return false;
        }
        bundles[id] = known_bundle{*key, b.at("highestVersion").get<std::uint64_t>()};
    }
    for (auto const& t : j.at("tokens")) {
        tokens.push_back({t.at("bundleId").get<std::string>(), t.at("tokenId").get<std::string>(),
                          t.at("token").get<std::string>()});
    }
    // Absent from keystores written before pledges and payments were kept.
    for (auto const& p : j.value("pledges", json::array())) {
        pledges.push_back(gate_api::pledge_from_json(p));
    }
    for (auto const& p : j.value("payments", json::array())) {
        payments.push_back(gate_api::payment_from_json(p));
    }
    return true;
}

} // namespace

keystore keystore::open(std::filesystem::path file, std::error_code& ec) {
    ec.clear();
    keystore store;
    store.file_ = std::move(file);
    std::error_code read_ec;
    auto const text = fileio::read_small_file(store.file_, max_keystore_bytes, read_ec);
    // Only a keystore that is not there is started afresh: one that exists but cannot be read now is moved
    // aside like a damaged one, never written over.
    if (read_ec != std::errc::no_such_file_or_directory) {
        auto parsed = protocol::parse_untrusted_json(read_ec ? std::string_view() : std::string_view(text));
        bool ok = false;
        if (!read_ec && parsed) {
            try {
                ok = read_keystore(parsed.value, store.device_, store.bundles_, store.tokens_, store.pledges_,
                                   store.payments_);
            } catch (json::exception const&) {
                ok = false;
            }
        }
        if (ok) {
            return store;
        }
        // Keep the damaged file for whoever wants to recover its tokens; start a new store beside it.
        auto const aside = std::filesystem::path(
            store.file_.string() + ".damaged-" +
            std::to_string(std::chrono::system_clock::now().time_since_epoch() / std::chrono::seconds(1)));
        std::error_code rename_ec;
        std::filesystem::rename(store.file_, aside, rename_ec);
        base::log::error("the keystore " + store.file_.string() + " could not be read; it was moved to " +
                         aside.string() + " and a new device key was made (unlocks must be redeemed again)");
        store.bundles_.clear();
        store.tokens_.clear();
        store.pledges_.clear();
        store.payments_.clear();
    }
    store.device_ = protocol::generate_box_keypair();
    store.save(ec);
    return store;
}

std::string keystore::device_public_key() const {
    return protocol::encode_public_key("x25519", device_.public_key);
}

std::optional<known_bundle> keystore::bundle(std::string const& id) const {
    auto const it = bundles_.find(id);
    if (it == bundles_.end()) {
        return std::nullopt;
    }
    return it->second;
}

void keystore::remember_bundle(std::string const& id, known_bundle const& record, std::error_code& ec) {
    auto const before = bundles_.find(id);
    if (before != bundles_.end() && before->second.publisher_key == record.publisher_key &&
        before->second.highest_version == record.highest_version) {
        ec.clear();
        return;
    }
    bundles_[id] = record;
    save(ec);
}

std::vector<stored_token> keystore::tokens_for(std::string const& bundle_id) const {
    std::vector<stored_token> out;
    std::copy_if(tokens_.begin(), tokens_.end(), std::back_inserter(out),
                 [&](stored_token const& t) { return t.bundle_id == bundle_id; });
    return out;
}

void keystore::add_token(stored_token token, std::error_code& ec) {
    ec.clear();
    if (std::any_of(tokens_.begin(), tokens_.end(), [&](stored_token const& t) {
            return t.bundle_id == token.bundle_id && t.token_id == token.token_id;
        })) {
        return;
    }
    tokens_.push_back(std::move(token));
    save(ec);
    if (ec) {
        tokens_.pop_back(); // not durable, so not accepted
    }
}

namespace {

// Replaces the element `same` finds, or appends; saves; puts the old state back if the save failed.
template <typename Record, typename Same>
void put_record(std::vector<Record>& records, Record record, Same same,
                std::function<void(std::error_code&)> save, std::error_code& ec) {
    auto const before = records;
    auto const it = std::find_if(records.begin(), records.end(), same);
    if (it == records.end()) {
        records.push_back(std::move(record));
    } else {
        *it = std::move(record);
    }
    save(ec);
    if (ec) {
        records = before;
    }
}

} // namespace

std::optional<gate_api::pledge_record> keystore::pledge_for(std::string const& campaign_id) const {
    auto const it = std::find_if(pledges_.begin(), pledges_.end(), [&](gate_api::pledge_record const& p) {
        return p.campaign_id == campaign_id;
    });
    if (it == pledges_.end()) {
        return std::nullopt;
    }
    return *it;
}

std::optional<gate_api::payment_record> keystore::payment_for(std::string const& idempotency_key) const {
    auto const it = std::find_if(payments_.begin(), payments_.end(), [&](gate_api::payment_record const& p) {
        return p.idempotency_key == idempotency_key;
    });
    if (it == payments_.end()) {
        return std::nullopt;
    }
    return *it;
}

void keystore::put_pledge(gate_api::pledge_record record, std::error_code& ec) {
    auto const campaign = record.campaign_id;
    put_record(
        pledges_, std::move(record),
        [&](gate_api::pledge_record const& p) { return p.campaign_id == campaign; },
        [this](std::error_code& e) { save(e); }, ec);
}

void keystore::put_payment(gate_api::payment_record record, std::error_code& ec) {
    auto const key = record.idempotency_key;
    put_record(
        payments_, std::move(record),
        [&](gate_api::payment_record const& p) { return p.idempotency_key == key; },
        [this](std::error_code& e) { save(e); }, ec);
}

void keystore::save(std::error_code& ec) const {
    json bundles = json::object();
    for (auto const& [id, b] : bundles_) {
        bundles[id] = {{"publisherKey", protocol::encode_public_key("ed25519", b.publisher_key)},
                       {"highestVersion", b.highest_version}};
    }
    json tokens = json::array();
    for (auto const& t : tokens_) {
        tokens.push_back({{"bundleId", t.bundle_id}, {"tokenId", t.token_id}, {"token", t.text}});
    }
    json pledges = json::array();
    for (auto const& p : pledges_) {
        pledges.push_back(to_json(p));
    }
    json payments = json::array();
    for (auto const& p : payments_) {
        payments.push_back(to_json(p));
    }
    json const j = {{"format", keystore_format},
                    {"device",
                     {{"publicKey", protocol::encode_public_key("x25519", device_.public_key)},
                      {"secretKey", protocol::to_base64(std::string_view(
                                        reinterpret_cast<char const*>(device_.secret_key.data()),
                                        device_.secret_key.size()))}}},
                    {"bundles", std::move(bundles)},
                    {"tokens", std::move(tokens)},
                    {"pledges", std::move(pledges)},
                    {"payments", std::move(payments)}};
    fileio::write_file_atomically(file_, j.dump(2) + "\n", 0600, true, ec);
}

} // namespace sluice::bundle
