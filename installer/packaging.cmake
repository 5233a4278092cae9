# What `make package` puts in the .deb, and how CPack builds it. The native-messaging manifests are not
# files of the package: postinst writes them with `sluice-host install --system`, from the same browser
# table the user-level install uses, and prerm removes exactly what that recorded.
include(GNUInstallDirs)

install(TARGETS sluice-host sluice-bundle sluice-gate RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/extension/ DESTINATION ${CMAKE_INSTALL_DATADIR}/sluice/extension
        PATTERN "icons/render.sh" EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/install.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/protocol/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/protocol
        FILES_MATCHING PATTERN "*.md" PATTERN "schema/*.json" PATTERN "examples" EXCLUDE PATTERN "src" EXCLUDE PATTERN "tools" EXCLUDE)
# Shipped, not enabled: a publisher runs the gate on purpose (see docs/install.md).
install(FILES ${PROJECT_SOURCE_DIR}/installer/sluice-gate.service DESTINATION lib/systemd/system)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sluice)
set(CPACK_PACKAGE_VENDOR "The Sluice project")
set(CPACK_PACKAGE_CONTACT "Sluice maintainers <maintainers@sluice-project.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Browse, torrent, stream, unlock: the Sluice native host and publisher tools")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://sluice-project.org")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Browse, torrent, stream, unlock.\nsluice-host is the native-messaging host of the Sluice browser extension: a\nBitTorrent session that streams to the browser over localhost and unlocks bundles.\nThe package registers it with the browsers of the machine (Chrome, Chromium, Brave,\nEdge, Vivaldi, Opera, Firefox) and ships the extension in /usr/share/sluice/extension,\nsluice-bundle and sluice-gate for publishers, and a systemd unit for the gate.")
# Depends from the libraries the binaries link (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/installer/debian/postinst ${PROJECT_SOURCE_DIR}/installer/debian/prerm
    ${PROJECT_SOURCE_DIR}/installer/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
