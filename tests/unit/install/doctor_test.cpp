#include "file_helpers.hpp"
#include "install/doctor.hpp"
#include "install/host_manifest.hpp"
#include "install/installer.hpp"
#include "memory_registry.hpp"
#include "sandbox_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace sluice::install {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::sandbox_dir;

using testing::write_file;

// The real probe runs the binary; here any executable answers, so the checks around it are what is tested.
probe_answer answers(fs::path const&) {
    return {.version = "sluice-host 9.9.9"};
}

class Doctor : public ::testing::Test {
protected:
    void SetUp() override {
        write_file(host_, "#!/bin/sh\n");
        fs::permissions(host_, fs::perms::owner_all);
        write_file(dir_ / "home/.config/chromium/Local State", "{}");
    }
    install_env env() const {
        return {.os = desktop::gnu_linux,
                .home = dir_ / "home",
                .config_home = dir_ / "home/.config",
                .data_home = dir_ / "home/.local/share",
                .root = dir_ / "root",
                .host_binary = host_};
    }
    browser_check chromium(doctor_report const& report) const {
        for (auto const& b : report.browsers) {
            if (b.row->key == "chromium") {
                return b;
            }
        }
        ADD_FAILURE() << "no chromium row";
        return {};
    }
    void install_chromium() {
        std::string error;
        ASSERT_TRUE(
            install(env(), scope::user, select_browsers(env(), scope::user, {"chromium"}, error), nullptr)
                .ok());
    }
    void edit_manifest(std::function<void(json&)> const& change) {
        auto m = json::parse(std::ifstream(manifest_));
        change(m);
        write_file(manifest_, m.dump());
    }
    std::string only_problem(doctor_report const& report) const {
        auto const c = chromium(report);
        EXPECT_FALSE(report.healthy());
        EXPECT_EQ(c.manifests.size(), 1u);
        EXPECT_EQ(c.manifests.at(0).problems.size(), 1u);
        // Each problem comes with the command that fixes it.
        EXPECT_EQ(c.advice.size(), 1u);
        EXPECT_NE(c.advice.at(0).find("sluice-host install --user --browser chromium"), std::string::npos);
        return c.manifests.at(0).problems.at(0);
    }

    sandbox_dir dir_;
    fs::path host_ = dir_ / "bin/sluice-host";
    fs::path manifest_ = dir_ / "home/.config/chromium/NativeMessagingHosts/org.sluice.host.json";
};

TEST_F(Doctor, AFreshInstallIsHealthy) {
    install_chromium();
    auto const report = run_doctor(env(), nullptr, answers);
    EXPECT_TRUE(report.healthy()) << render_text(report);
    auto const c = chromium(report);
    EXPECT_TRUE(c.found);
    ASSERT_EQ(c.manifests.size(), 1u);
    EXPECT_EQ(c.manifests[0].version, "sluice-host 9.9.9");
    EXPECT_NE(render_text(report).find("Chromium (chromium): installed, registered"), std::string::npos);
}

TEST_F(Doctor, AFoundBrowserWithoutManifestIsNotRegistered) {
    auto const report = run_doctor(env(), nullptr, answers);
    EXPECT_FALSE(report.healthy());
    auto const c = chromium(report);
    ASSERT_EQ(c.advice.size(), 1u);
    EXPECT_EQ(c.advice[0], "not registered: run sluice-host install --user --browser chromium");
}

TEST_F(Doctor, ReportsAPathThatDoesNotExist) {
    install_chromium();
    edit_manifest([](json& m) { m["path"] = "/opt/gone/sluice-host"; });
    auto const problem = only_problem(run_doctor(env(), nullptr, answers));
    EXPECT_EQ(problem, "its \"path\" /opt/gone/sluice-host does not exist (moved or removed?)");
}

TEST_F(Doctor, ReportsABinaryThatIsNotExecutable) {
    install_chromium();
    fs::permissions(host_, fs::perms::owner_read | fs::perms::owner_write);
    auto const problem = only_problem(run_doctor(env(), nullptr, answers));
    EXPECT_NE(problem.find("is not an executable file"), std::string::npos) << problem;
}

TEST_F(Doctor, ReportsAWrongExtensionId) {
    install_chromium();
    edit_manifest([](json& m) {
        m["allowed_origins"] = json::array({"chrome-extension://abcdefghijklmnopabcdefghijklmnop/"});
    });
    auto const problem = only_problem(run_doctor(env(), nullptr, answers));
    EXPECT_NE(problem.find("allowed_origins"), std::string::npos) << problem;
    EXPECT_NE(problem.find("ljkaphncpbkfgfeoncgogkmhcmcompjk"), std::string::npos) << problem;
}

TEST_F(Doctor, ReportsAManifestThatIsNotJson) {
    install_chromium();
    write_file(manifest_, "{\"name\": \"org.sluice.host\",");
    auto const problem = only_problem(run_doctor(env(), nullptr, answers));
    EXPECT_NE(problem.find("not a JSON object"), std::string::npos) << problem;
}

TEST_F(Doctor, ReportsABinaryThatDoesNotAnswerAsTheHost) {
    install_chromium();
    auto const silent = [](fs::path const& p) {
        return probe_answer{.problem = p.string() + " ran but did not answer"};
    };
    auto const problem = only_problem(run_doctor(env(), nullptr, silent));
    EXPECT_NE(problem.find("did not answer"), std::string::npos);
}

TEST_F(Doctor, TheRealProbeTellsAnotherProgramFromTheHost) {
    auto const answer = probe_host_binary("/bin/true");
    EXPECT_EQ(answer.version, "");
    EXPECT_NE(answer.problem.find("did not answer as sluice-host"), std::string::npos) << answer.problem;
    EXPECT_NE(probe_host_binary(dir_ / "missing").problem, "");
}

TEST_F(Doctor, ASystemManifestGetsTheSystemFix) {
    std::string error;
    ASSERT_TRUE(
        install(env(), scope::system, select_browsers(env(), scope::system, {"chromium"}, error), nullptr)
            .ok());
    write_file(dir_ / "root/etc/chromium/native-messaging-hosts/org.sluice.host.json", "[]");
    auto const c = chromium(run_doctor(env(), nullptr, answers));
    ASSERT_EQ(c.manifests.size(), 1u);
    EXPECT_EQ(c.manifests[0].where, scope::system);
    ASSERT_EQ(c.advice.size(), 1u);
    EXPECT_NE(c.advice[0].find("sudo sluice-host install --system --browser chromium"), std::string::npos);
}

TEST_F(Doctor, WindowsKeyNamingAMissingManifest) {
    testing::memory_registry reg;
    auto e = env();
    e.os = desktop::windows;
    reg.values["HKCU\\Software\\Chromium\\NativeMessagingHosts\\org.sluice.host"] =
        (dir_ / "nowhere.json").string();
    auto const c = chromium(run_doctor(e, &reg, answers));
    ASSERT_EQ(c.manifests.size(), 1u);
    ASSERT_EQ(c.manifests[0].problems.size(), 1u);
    EXPECT_NE(c.manifests[0].problems[0].find("which does not exist"), std::string::npos);
    auto const j = render_json(run_doctor(e, &reg, answers));
    EXPECT_FALSE(j.at("healthy").get<bool>());
}

} // namespace
} // namespace sluice::install
