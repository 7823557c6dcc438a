# cpack: one Debian package, zchat_<version>-1_<arch>.deb, from the install
# rules (scripts/package builds it). Its runtime dependencies are read off the
# binaries by dpkg-shlibdeps (dpkg-dev), so they name Debian's own packages at
# the versions the build actually needs.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME zchat)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "zchat maintainers <zchat@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "terminal chat on ZeroMQ: broker, client and load generator")
set(CPACK_PACKAGE_DESCRIPTION
    "A lobby everyone hears and private 1:1 sessions that run directly between\nclients. Ships chat-broker (with a systemd unit, not enabled), chat-cli and\nchat-load.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Merged with what shlibdeps finds: postinst falls back to adduser where
# systemd-sysusers is missing. The unit is inert without systemd, the
# programs work anyway, so systemd is only suggested.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
# Maintainer scripts 0755 whatever the checkout made of them.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)
