// libFuzzer entry point: bundle.json and bundle.sig, the first two files the host reads from a torrent that
// nobody vouches for. Each input is used three ways:
//   - the whole input as bundle.json, parsed;
//   - if it parses, signed with a fixed publisher key and verified: accepted exactly when the manifest names
//     that key, and refused once any bit of the signature is flipped;
//   - split into bundle.json (all but the last 64 bytes) and bundle.sig (the last 64), verified. Nothing can
//     forge a signature, so an acceptance here needs a seed that carries one made with the fixed key.
// Seeds (corpus-manifest/) are the protocol examples' manifests, minified, some of them naming the fixed key.

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/keys.hpp>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace {

using namespace sluice::protocol;

// The publisher key the signed seeds name: "ed25519:6PS0ZxvJ72akhUpNO1ja1bDFla+lhxGD9kCxbLMk1wo=".
signing_keypair const& publisher() {
    static signing_keypair const k = [] {
        if (sodium_init() < 0) {
            std::abort();
        }
        constexpr std::string_view seed = "sluice fuzz: bundle publisher 01";
        static_assert(seed.size() == crypto_sign_SEEDBYTES);
        signing_keypair kp;
        crypto_sign_seed_keypair(kp.public_key.data(), kp.secret_key.data(),
                                 reinterpret_cast<unsigned char const*>(seed.data()));
        return kp;
    }();
    return k;
}

void require(bool condition) {
    if (!condition) {
        std::abort();
    }
}

bool same_item(bundle_item const& a, bundle_item const& b) {
    if (a.path != b.path || a.size != b.size || a.media_type != b.media_type || a.sha256 != b.sha256 ||
        a.root != b.root || a.stored_size != b.stored_size || a.access != b.access || a.gate != b.gate ||
        a.subtitles.size() != b.subtitles.size()) {
        return false;
    }
    return std::equal(a.subtitles.begin(), a.subtitles.end(), b.subtitles.begin(),
                      [](subtitle_track const& x, subtitle_track const& y) {
                          return x.lang == y.lang && x.label == y.label && x.path == y.path &&
                                 x.size == y.size && x.sha256 == y.sha256 && x.root == y.root;
                      });
}

bool same_cover(std::optional<bundle_cover> const& a, std::optional<bundle_cover> const& b) {
    return a.has_value() == b.has_value() &&
           (!a || (a->path == b->path && a->size == b->size && a->sha256 == b->sha256 && a->root == b->root));
}

bool same_gates(bundle_gates const& a, bundle_gates const& b) {
    if (a.email.has_value() != b.email.has_value() || a.pay.has_value() != b.pay.has_value() ||
        a.pledge.has_value() != b.pledge.has_value()) {
        return false;
    }
    if (a.email && a.email->double_opt_in != b.email->double_opt_in) {
        return false;
    }
    if (a.pay && (a.pay->minimum != b.pay->minimum || a.pay->suggested != b.pay->suggested ||
                  a.pay->currency != b.pay->currency)) {
        return false;
    }
    if (a.pledge) {
        auto const& x = *a.pledge;
        auto const& y = *b.pledge;
        return x.campaign_id == y.campaign_id && x.goal_backers == y.goal_backers &&
               x.goal_amount == y.goal_amount && x.deadline == y.deadline &&
               x.deadline_unix == y.deadline_unix && x.price == y.price && x.currency == y.currency &&
               x.expected_delivery == y.expected_delivery && x.if_goal_missed == y.if_goal_missed;
    }
    return true;
}

// Field by field rather than through to_json, so that a member to_json forgets shows up as a difference.
bool same_manifest(bundle_manifest const& a, bundle_manifest const& b) {
    return a.id == b.id && a.version == b.version && a.title == b.title && a.creator == b.creator &&
           a.description == b.description && same_cover(a.cover, b.cover) &&
           a.publisher_key == b.publisher_key && a.gate_keys == b.gate_keys &&
           a.translation_keys == b.translation_keys && a.gate_url == b.gate_url &&
           a.items.size() == b.items.size() &&
           std::equal(a.items.begin(), a.items.end(), b.items.begin(), same_item) &&
           same_gates(a.gates, b.gates);
}

bool gate_defined(bundle_gates const& gates, gate_kind kind) {
    switch (kind) {
    case gate_kind::email:
        return gates.email.has_value();
    case gate_kind::pay:
        return gates.pay.has_value();
    case gate_kind::pledge:
        return gates.pledge.has_value();
    }
    return false;
}

bool names_a_file_of_its_own(std::string_view path) {
    return is_safe_item_path(path) && path != manifest_file_name && path != signature_file_name;
}

// What an accepted manifest promises, whatever the bytes were: the host builds file paths from it and
// shows it to a person, so every rule parse_bundle_manifest states must hold.
void check_accepted(bundle_manifest const& m, std::string_view bytes) {
    require(bytes.size() <= bundle_manifest::max_bytes);
    require(!m.id.empty() && m.id.size() <= 64 && m.version >= 1);
    require(!m.items.empty() && m.items.size() <= bundle_manifest::max_items);
    require(m.gate_keys.size() <= 16);
    require(std::set(m.gate_keys.begin(), m.gate_keys.end()).size() == m.gate_keys.size());
    require(m.translation_keys.size() <= 16 &&
            std::set(m.translation_keys.begin(), m.translation_keys.end()).size() ==
                m.translation_keys.size());
    require(!m.cover || names_a_file_of_its_own(m.cover->path));
    std::set<std::string_view> paths;
    bool any_locked = false;
    for (auto const& item : m.items) {
        require(names_a_file_of_its_own(item.path));
        require(paths.insert(item.path).second);
        require(item.size <= (std::uint64_t{1} << 40));
        require(item.locked() == item.gate.has_value());
        require(!item.gate || gate_defined(m.gates, *item.gate));
        require(m.find_item(item.path) == &item);
        for (auto const& track : item.subtitles) {
            require(names_a_file_of_its_own(track.path));
        }
        any_locked = any_locked || item.locked();
    }
    require(!any_locked || !m.gate_keys.empty());
    // Every stored file once, and a torrent holding exactly them (and the manifest's two files) matches.
    auto files = m.stored_files();
    std::set<std::string_view> stored;
    for (auto const& f : files) {
        require(names_a_file_of_its_own(f.path) && stored.insert(f.path).second);
    }
    files.push_back({std::string(manifest_file_name), bytes.size(), {}});
    files.push_back({std::string(signature_file_name), 64, {}});
    require(compare_with_torrent(m, files, true).empty());
    if (m.gates.pledge) {
        require(parse_utc_timestamp(m.gates.pledge->deadline) == m.gates.pledge->deadline_unix);
    }

    // What `sluice-bundle create` writes from this manifest must read back as the same manifest.
    auto const text = to_json(m).dump();
    auto const again = parse_bundle_manifest(text);
    require(again.manifest.has_value() && same_manifest(m, *again.manifest));
}

void check_verified(verified_manifest_result const& r, std::string_view manifest,
                    std::string_view signature) {
    if (!r) {
        require(!r.error.empty());
        return;
    }
    require(signature.size() == 64);
    std::array<unsigned char, 64> sig{};
    std::copy(signature.begin(), signature.end(), sig.begin());
    require(verify(manifest, sig, r.manifest->publisher_key));
    check_accepted(*r.manifest, manifest);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const input(reinterpret_cast<char const*>(data), size);

    auto const parsed = parse_bundle_manifest(input);
    if (parsed) {
        check_accepted(*parsed.manifest, input);

        auto const signature = sign(input, publisher());
        std::string_view const sig_bytes(reinterpret_cast<char const*>(signature.data()), signature.size());
        auto const verified = verify_bundle_manifest(input, sig_bytes);
        require(verified.manifest.has_value() == (parsed.manifest->publisher_key == publisher().public_key));
        check_verified(verified, input, sig_bytes);

        auto flipped = std::string(sig_bytes);
        auto const bit = size % (flipped.size() * 8);
        flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
        require(!verify_bundle_manifest(input, flipped));
    } else {
        require(!parsed.error.empty()); // every refusal says why
    }

    if (size >= 64) {
        auto const manifest = input.substr(0, size - 64);
        auto const signature = input.substr(size - 64);
        auto const verified = verify_bundle_manifest(manifest, signature);
        check_verified(verified, manifest, signature);
        require(!verified || parse_bundle_manifest(manifest));
    }
    return 0;
}
