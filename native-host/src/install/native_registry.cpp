#include "install/registry.hpp"

#if defined(_WIN32)
#include <windows.h>
#endif

namespace sluice::install {

#if defined(_WIN32)

namespace {

std::wstring widen(std::string const& s) {
    int const n = ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
    std::wstring w(static_cast<std::size_t>(n), L'\0');
    ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), w.data(), n);
    return w;
}

std::string narrow(std::wstring const& w) {
    int const n =
        ::WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), nullptr, 0, nullptr, nullptr);
    std::string s(static_cast<std::size_t>(n), '\0');
    ::WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), s.data(), n, nullptr, nullptr);
    return s;
}

HKEY hive(registry_key const& key) {
    return key.machine ? HKEY_LOCAL_MACHINE : HKEY_CURRENT_USER;
}

std::error_code win_error(LSTATUS status) {
    return {static_cast<int>(status), std::system_category()};
}

class windows_registry final : public registry {
public:
    std::optional<std::string> default_value(registry_key const& key) override {
        wchar_t buffer[4096];
        DWORD size = sizeof(buffer);
        if (::RegGetValueW(hive(key), widen(key.path).c_str(), nullptr, RRF_RT_REG_SZ, nullptr, buffer,
                           &size) != ERROR_SUCCESS) {
            return std::nullopt;
        }
        return narrow(std::wstring(buffer));
    }
    void set_default_value(registry_key const& key, std::string const& value, std::error_code& ec) override {
        HKEY handle = nullptr;
        auto status = ::RegCreateKeyExW(hive(key), widen(key.path).c_str(), 0, nullptr, 0, KEY_SET_VALUE,
                                        nullptr, &handle, nullptr);
        if (status == ERROR_SUCCESS) {
            auto const w = widen(value);
            status = ::RegSetValueExW(handle, nullptr, 0, REG_SZ, reinterpret_cast<BYTE const*>(w.c_str()),
                                      static_cast<DWORD>((w.size() + 1) * sizeof(wchar_t)));
            ::RegCloseKey(handle);
        }
        ec = status == ERROR_SUCCESS ? std::error_code() : win_error(status);
    }
    void remove_key(registry_key const& key, std::error_code& ec) override {
        auto const status = ::RegDeleteKeyW(hive(key), widen(key.path).c_str());
        ec =
            status == ERROR_SUCCESS || status == ERROR_FILE_NOT_FOUND ? std::error_code() : win_error(status);
    }
};

} // namespace

std::unique_ptr<registry> native_registry() {
    return std::make_unique<windows_registry>();
}

#else

std::unique_ptr<registry> native_registry() {
    return nullptr;
}

#endif

} // namespace sluice::install
