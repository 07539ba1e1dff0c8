# The Debian package, ussdgw_<version>_amd64.deb, packed by CPack from the
# install in cmake/install.cmake (scripts/package runs it). Maintainer scripts
# live in packaging/debian/: the ussdgw user, /var/lib/ussdgw, what purge
# removes and what it keeps.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ussdgw)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "ussdgw maintainers <ussdgw@example.net>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "USSD/SMS self-service gateway for mobile operators")
# One string (separate arguments would make a list, joined with ';').
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "ussdgw binds to an operator's SMSC over SMPP 3.4 as an ESME and answers USSD\n"
       "dialogs and SMS commands from a declarative menu tree, keeping accounts in\n"
       "SQLite. Includes the admin tool (ussdgw-admin) and an SMSC simulator\n"
       "(ussdgw-smsc-sim).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies come from the binaries (dpkg-shlibdeps); adduser is
# what the postinst creates the ussdgw user with.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
# Debug info stays in the build tree: the package carries stripped binaries.
set(CPACK_STRIP_FILES ON)

# Conffiles: dpkg keeps an operator's edits across upgrades (and asks when
# both sides changed) and removes them only on purge.
set(ussdgw_conffiles "/etc/ussdgw/ussdgw.conf\n")
foreach(menu ${ussdgw_menu_files})
  get_filename_component(name ${menu} NAME)
  string(APPEND ussdgw_conffiles "/etc/ussdgw/menus/${name}\n")
endforeach()
file(WRITE ${CMAKE_BINARY_DIR}/packaging/conffiles "${ussdgw_conffiles}")

set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/postinst ${CMAKE_SOURCE_DIR}/packaging/debian/prerm
    ${CMAKE_SOURCE_DIR}/packaging/debian/postrm ${CMAKE_BINARY_DIR}/packaging/conffiles)
# Maintainer scripts 0755 and the rest 0644, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
