#pragma once

#include "gate_api/gate_records.hpp"

#include <sluice/protocol/keys.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace sluice::bundle {

// What a bundle id is known by: the publisher key first seen for it, and the highest manifest version
// verified. A different key or a lower version later is refused (substitution, rollback).
struct known_bundle {
    std::array<unsigned char, 32> publisher_key{};
    std::uint64_t highest_version = 0;
};

struct stored_token {
    std::string bundle_id;
    std::string token_id;
    std::string text; // the envelope exactly as accepted
};

// The host's secrets and memory, in one file of the data directory (0600): the device key pair gates seal
// item keys to, the bundles seen, every unlock token accepted, and the pledges and payments made through
// gates. Each change is written atomically (temp file, fsync, rename), so a crash leaves the previous or the
// new state, never a mix. A file that cannot be read is moved aside, never overwritten: the tokens in it may
// still be recovered by hand.
class keystore {
public:
    // Loads `file`, or creates it with a new device key.
    static keystore open(std::filesystem::path file, std::error_code& ec);

    protocol::box_keypair const& device() const { return device_; }
    // The device's public key as gates are told it: "x25519:<base64>".
    std::string device_public_key() const;

    std::optional<known_bundle> bundle(std::string const& id) const;
    void remember_bundle(std::string const& id, known_bundle const& record, std::error_code& ec);

    std::vector<stored_token> tokens_for(std::string const& bundle_id) const;
    // Adds a token unless one with the same id is kept already (then nothing changes).
    void add_token(stored_token token, std::error_code& ec);

    std::vector<gate_api::pledge_record> const& pledges() const { return pledges_; }
    // The pledge kept for `campaign_id`, a copy: nullopt when there is none.
    std::optional<gate_api::pledge_record> pledge_for(std::string const& campaign_id) const;
    // Adds the pledge, or replaces the one kept for its campaign; on failure nothing changes.
    void put_pledge(gate_api::pledge_record record, std::error_code& ec);

    std::vector<gate_api::payment_record> const& payments() const { return payments_; }
    // The payment kept with `idempotency_key`, a copy: nullopt when there is none.
    std::optional<gate_api::payment_record> payment_for(std::string const& idempotency_key) const;
    // Adds the payment, or replaces the one with its idempotency key; on failure nothing changes.
    void put_payment(gate_api::payment_record record, std::error_code& ec);

    std::filesystem::path const& file() const { return file_; }

private:
    void save(std::error_code& ec) const;

    std::filesystem::path file_;
    protocol::box_keypair device_;
    std::map<std::string, known_bundle> bundles_;
    std::vector<stored_token> tokens_;
    std::vector<gate_api::pledge_record> pledges_;
    std::vector<gate_api::payment_record> payments_;
};

} // namespace sluice::bundle
