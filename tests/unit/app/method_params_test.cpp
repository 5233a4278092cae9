#include "app/method_params.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::app {
namespace {

using native_messaging::rpc_call;
using nlohmann::json;

// Calls of one method, and what each was answered.
struct calls {
    std::vector<json> sent;

    rpc_call with(json params) {
        return rpc_call({json(1), "bundle.pledge", std::move(params)},
                        [this](json m) { sent.push_back(std::move(m)); });
    }
};

TEST(SlugParam, TakesATiersIdAndLeavesAnAbsentOneOut) {
    calls c;
    auto const call = c.with({{"tier", "season-2"}});
    auto const tier = slug_param(call, "tier", false);
    ASSERT_TRUE(tier.ok);
    EXPECT_EQ(tier.value, "season-2");
    EXPECT_FALSE(call.answered());

    auto const none = c.with(json::object());
    auto const absent = slug_param(none, "tier", false);
    EXPECT_TRUE(absent.ok);
    EXPECT_FALSE(absent.value);
    EXPECT_FALSE(none.answered());
    EXPECT_FALSE(slug_param(none, "tier", true).ok);
    EXPECT_TRUE(none.answered());
}

TEST(SlugParam, RefusesAnythingButAnIdAsInvalidParams) {
    for (json const bad : {json("Season"), json("-season"), json("season_2"), json("a/b"), json(""),
                           json(std::string(65, 's')), json(7), json(nullptr), json::array({"season"})}) {
        calls c;
        auto const call = c.with({{"tier", bad}});
        EXPECT_FALSE(slug_param(call, "tier", false).ok) << bad.dump();
        ASSERT_EQ(c.sent.size(), 1u) << bad.dump();
        EXPECT_EQ(c.sent[0].at("error").at("code"), -32602) << bad.dump();
    }
    calls c;
    EXPECT_TRUE(slug_param(c.with({{"tier", std::string(64, 's')}}), "tier", false).ok);
}

} // namespace
} // namespace sluice::app
