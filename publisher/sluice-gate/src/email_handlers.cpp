#include "sluice-gate/email_handlers.hpp"

#include "sluice-gate/api_error.hpp"
#include "sluice-gate/bundle_lookup.hpp"
#include "sluice-gate/email_address.hpp"
#include "sluice-gate/request_body.hpp"
#include "sluice-gate/token_issuer.hpp"

#include <sluice/protocol/strict_object.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <sodium.h>

#include <algorithm>
#include <cstdio>

namespace sluice::gate {

namespace {

using protocol::strict_object;

gate_response too_many(std::chrono::seconds retry_after, std::string const& what) {
    auto res =
        error_response(429, error_code::rate_limited, "too many requests " + what + "; try again later");
    res.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
    return res;
}

std::optional<gate_response> limit_ip(gate_context& ctx, gate_request const& req) {
    auto const wait = ctx.per_ip->acquire(req.client_ip, ctx.steady_now());
    if (wait.count() > 0) {
        return too_many(wait, "from this address");
    }
    return std::nullopt;
}

std::string token_answer(std::string const& token) {
    return protocol::dump_compact(nlohmann::json{{"token", token}});
}

// Only a hash is stored, so a copy of the database does not show live codes at a glance. Six digits can
// still be found from the hash by trying them all, which is why codes also expire after 15 minutes; the
// request id as salt at least makes that work per request.
std::string code_hash(std::string_view request_id, std::string_view code) {
    std::string const input = std::string(request_id) + ":" + std::string(code);
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<unsigned char const*>(input.data()), input.size());
    return protocol::to_hex(digest);
}

std::string new_code() {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%06u", static_cast<unsigned>(randombytes_uniform(1'000'000)));
    return buf;
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

} // namespace

void handle_email_unlock(gate_context& ctx, gate_request const& req, std::string_view id,
                         responder const& respond) {
    if (auto limited = limit_ip(ctx, req)) {
        return respond(*limited);
    }
    std::string email_text;
    std::string device_text;
    if (auto bad = read_json_body(req.body, [&](nlohmann::json const& v) {
            strict_object const o(v, "", {"email", "device"});
            email_text = o.string("email", 1, 1024);
            device_text = o.string("device", 1, 128);
        })) {
        return respond(*bad);
    }
    auto const email = normalise_email(email_text);
    if (!email) {
        return respond(error_response(400, error_code::invalid_email, email.problem));
    }
    auto const device = protocol::decode_public_key("x25519", device_text);
    if (!device) {
        return respond(error_response(400, error_code::invalid_device,
                                      "device must be \"x25519:<base64 of 32 bytes>\""));
    }
    auto found = lookup_bundle(ctx, id);
    if (!found.bundle) {
        return respond(found.error);
    }
    auto const& bundle = *found.bundle;
    if (!offers_gate(bundle.manifest, protocol::gate_kind::email) || !bundle.manifest.gates.email) {
        return respond(
            error_response(404, error_code::gate_not_offered, "this bundle has nothing to unlock by email"));
    }
    if (!trusts_gate_key(bundle.manifest, ctx.gate_key)) {
        return respond(error_response(503, error_code::gate_misconfigured,
                                      "this gate's key is not one the bundle trusts"));
    }
    if (auto const wait = ctx.per_address->acquire(*email.address, ctx.steady_now()); wait.count() > 0) {
        return respond(too_many(wait, "for this email address"));
    }

    if (!bundle.manifest.gates.email->double_opt_in) {
        auto const record = grant_unlock(ctx, bundle, protocol::gate_kind::email,
                                         {protocol::grantee_kind::email, *email.address}, *device);
        if (!record) {
            return respond(
                error_response(500, error_code::internal_error, "the bundle's keys are incomplete"));
        }
        std::error_code ec;
        ctx.store.record_unlock(*record, ec);
        if (ec) {
            return respond(storage_failed(ec));
        }
        return respond(json_response(token_answer(record->token)));
    }

    if (!ctx.mailer.configured()) {
        return respond(
            error_response(503, error_code::mail_unavailable, "this gate cannot send confirmation mail"));
    }
    auto const now = ctx.now();
    auto const code = new_code();
    email_request request;
    request.request_id = protocol::generate_token_id();
    request.bundle_id = bundle.manifest.id;
    request.email = *email.address;
    request.device = protocol::encode_public_key("x25519", *device);
    request.code_hash = code_hash(request.request_id, code);
    request.created_at = unix_seconds(now);
    request.expires_at = request.created_at + ctx.code_lifetime.count();
    std::error_code ec;
    ctx.store.create_email_request(request, ec);
    if (ec) {
        return respond(storage_failed(ec));
    }
    auto const minutes = std::to_string(ctx.code_lifetime.count() / 60);
    // The title is the publisher's text and goes into a header line: line breaks in it would add headers.
    std::string title = bundle.manifest.title;
    std::replace_if(
        title.begin(), title.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
    mail_message const message{*email.address, "Your code for " + title,
                               "Your confirmation code is " + code + ".\n\nIt is valid for " + minutes +
                                   " minutes. If you did not ask for it, ignore this message.\n"};
    nlohmann::json const body{{"confirmation", "sent"},
                              {"requestId", request.request_id},
                              {"expiresAt", protocol::format_utc_timestamp(request.expires_at)}};
    // The command runs on the mailer's worker: this thread goes on serving, and the answer follows when
    // the command has exited.
    ctx.mailer.async_send(message, respond.owner(),
                          [respond, answer = protocol::dump_compact(body)](std::error_code mail_ec) {
                              respond(mail_ec ? error_response(503, error_code::mail_unavailable,
                                                               "the confirmation mail could not be sent")
                                              : json_response(answer, 202));
                          });
}

gate_response handle_email_confirm(gate_context& ctx, gate_request const& req, std::string_view id) {
    if (auto limited = limit_ip(ctx, req)) {
        return *limited;
    }
    std::string request_id;
    std::string code;
    std::string device_text;
    if (auto bad = read_json_body(req.body, [&](nlohmann::json const& v) {
            strict_object const o(v, "", {"requestId", "code", "device"});
            request_id = o.string("requestId", 1, 64);
            code = o.string("code", 6, 6);
            device_text = o.string("device", 1, 128);
            if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                protocol::shape_fail(o.at("code"), "must be 6 digits");
            }
        })) {
        return *bad;
    }
    auto const device = protocol::decode_public_key("x25519", device_text);
    if (!device) {
        return error_response(400, error_code::invalid_device,
                              "device must be \"x25519:<base64 of 32 bytes>\"");
    }
    std::error_code ec;
    auto const request = ctx.store.find_email_request(request_id, ec);
    if (ec) {
        return storage_failed(ec);
    }
    if (!request || request->bundle_id != id) {
        return error_response(404, error_code::request_not_found, "no confirmation request with that id");
    }
    if (!request->unlock_token_id.empty()) {
        return error_response(409, error_code::already_confirmed, "this request was confirmed already");
    }
    if (unix_seconds(ctx.now()) >= request->expires_at) {
        return error_response(410, error_code::code_expired, "the code has expired; ask for a new one");
    }
    if (request->attempts >= ctx.max_code_attempts) {
        return error_response(410, error_code::too_many_attempts, "too many wrong codes; ask for a new one");
    }
    if (protocol::encode_public_key("x25519", *device) != request->device) {
        return error_response(400, error_code::device_mismatch, "the request was made for another device");
    }
    auto const expected = request->code_hash;
    auto const given = code_hash(request_id, code);
    if (sodium_memcmp(expected.data(), given.data(), std::min(expected.size(), given.size())) != 0 ||
        expected.size() != given.size()) {
        int const attempts = ctx.store.add_email_attempt(request_id, ec);
        if (ec) {
            return storage_failed(ec);
        }
        if (attempts >= ctx.max_code_attempts) {
            return error_response(410, error_code::too_many_attempts,
                                  "too many wrong codes; ask for a new one");
        }
        return error_response(403, error_code::wrong_code,
                              "wrong code; " + std::to_string(ctx.max_code_attempts - attempts) +
                                  " attempts left");
    }
    auto found = lookup_bundle(ctx, id);
    if (!found.bundle) {
        return found.error;
    }
    if (!trusts_gate_key(found.bundle->manifest, ctx.gate_key)) {
        return error_response(503, error_code::gate_misconfigured,
                              "this gate's key is not one the bundle trusts");
    }
    auto const record = grant_unlock(ctx, *found.bundle, protocol::gate_kind::email,
                                     {protocol::grantee_kind::email, request->email}, *device);
    if (!record) {
        return error_response(404, error_code::gate_not_offered,
                              "this bundle has nothing to unlock by email");
    }
    if (!ctx.store.confirm_email_request(request_id, *record, ec)) {
        if (ec) {
            return storage_failed(ec);
        }
        return error_response(409, error_code::already_confirmed, "this request was confirmed already");
    }
    return json_response(token_answer(record->token));
}

} // namespace sluice::gate
