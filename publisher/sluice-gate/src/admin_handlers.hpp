#pragma once

#include "sluice-gate/gate_context.hpp"
#include "sluice-gate/http_types.hpp"

#include <string_view>
#include <vector>

namespace sluice::gate {

// The publisher's operations over HTTP, under /v1/admin/ (protocol/gate-api.md, "Admin"): the same ones as
// the command line (admin_commands.hpp), for a gate whose data folder is on another machine. Every request
// needs `Authorization: Bearer <admin token>`, compared in constant time; without one configured, the whole
// /v1/admin tree does not exist (404 not_found), so a gate without a token shows no admin surface at all.

// `path` is the request's path split into segments, beginning with "v1", "admin".
gate_response handle_admin(gate_context& ctx, gate_request const& req,
                           std::vector<std::string_view> const& path);

// Whether `authorization` (the header's value, or nullptr) is "Bearer <token>" for `token`.
bool bearer_matches(std::string const* authorization, std::string_view token);

} // namespace sluice::gate
