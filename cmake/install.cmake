# The installed tree, for `cmake --install BUILD --prefix PREFIX` and for the
# Debian package (cmake/package.cmake packs the same install with CPack).
# With the prefix /usr (the package) it is the Debian layout:
#
#   /usr/bin/ussdgw, ussdgw-admin, ussdgw-smsc-sim
#   /etc/ussdgw/ussdgw.conf            conf/ussdgw.conf with the server's paths
#   /etc/ussdgw/menus/*.yaml           menus/
#   /lib/systemd/system/ussdgw.service systemd/ussdgw.service
#   /usr/share/doc/ussdgw/             README.md, docs/*.md
#   /usr/share/ussdgw/console/         console/ (the operator console page)
#
# Any other prefix keeps everything under it (PREFIX/etc/ussdgw,
# PREFIX/lib/systemd/system, which systemd searches for /usr/local too).
# The /etc and unit parts are laid out at install time by
# cmake/install_config.cmake, because CPack installs to /usr whatever prefix
# the build was configured with.

include(GNUInstallDirs)

foreach(binary ussdgw ussdgw-admin ussdgw-smsc-sim)
  if(TARGET ${binary})
    install(TARGETS ${binary} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()

file(GLOB ussdgw_doc_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${ussdgw_doc_files} DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The menu files, also listed as conffiles by cmake/package.cmake.
file(GLOB ussdgw_menu_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/menus/*.yaml)

# The operator console's page (docs/console.md).
install(DIRECTORY ${CMAKE_SOURCE_DIR}/console/ DESTINATION ${CMAKE_INSTALL_DATADIR}/ussdgw/console)

install(CODE "
  set(ussdgw_source_dir \"${CMAKE_SOURCE_DIR}\")
  set(ussdgw_datadir \"${CMAKE_INSTALL_DATADIR}\")
  set(ussdgw_work_dir \"${CMAKE_BINARY_DIR}/install-config\")
  set(ussdgw_bindir \"${CMAKE_INSTALL_BINDIR}\")
  set(ussdgw_docdir \"${CMAKE_INSTALL_DOCDIR}\")
  set(ussdgw_menu_files \"${ussdgw_menu_files}\")
")
install(SCRIPT ${CMAKE_SOURCE_DIR}/cmake/install_config.cmake)
