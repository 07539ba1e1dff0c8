# Install-time half of cmake/install.cmake (runs inside cmake_install.cmake,
# where CMAKE_INSTALL_PREFIX is the prefix actually installed to): lays out
# /etc/ussdgw and the systemd unit, with the installed config pointing at the
# server's paths.
#
# Why rewrite instead of shipping a second config: conf/ussdgw.conf is the
# reference (every key, its default, and the tests check it parses), and its
# relative defaults (ussdgw.db, menus) suit a checkout. The installed copy
# differs in exactly two values; a key renamed in the reference fails the
# install here rather than shipping a config that points nowhere.

if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(etc "/etc")
  set(unit_dir "/lib/systemd/system")  # Debian 12 packages ship units here
else()
  set(etc "${CMAKE_INSTALL_PREFIX}/etc")
  set(unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
set(conf_dir "${etc}/ussdgw")
set(bin_dir "${CMAKE_INSTALL_PREFIX}/${ussdgw_bindir}")
set(doc_dir "${CMAKE_INSTALL_PREFIX}/${ussdgw_docdir}")
# systemd's StateDirectory=ussdgw is /var/lib/ussdgw whatever the prefix.
set(store "/var/lib/ussdgw/ussdgw.db")

# Replaces the one line `from` in `text` with `to`; fails unless it is there once.
function(ussdgw_replace_line var from to what)
  set(text "${${var}}")
  string(FIND "${text}" "\n${from}\n" first)
  string(FIND "${text}" "\n${from}\n" last REVERSE)
  if(first EQUAL -1 OR NOT first EQUAL last)
    message(FATAL_ERROR "${what}: expected the line '${from}' exactly once; "
                        "update cmake/install_config.cmake with it")
  endif()
  string(REPLACE "\n${from}\n" "\n${to}\n" text "${text}")
  set(${var} "${text}" PARENT_SCOPE)
endfunction()

file(READ "${ussdgw_source_dir}/conf/ussdgw.conf" conf)
ussdgw_replace_line(conf "path = ussdgw.db" "path = ${store}" "conf/ussdgw.conf [store]")
ussdgw_replace_line(conf "dir = menus" "dir = ${conf_dir}/menus" "conf/ussdgw.conf [menus]")
ussdgw_replace_line(conf "static_dir = console"
                    "static_dir = ${CMAKE_INSTALL_PREFIX}/${ussdgw_datadir}/ussdgw/console"
                    "conf/ussdgw.conf [console]")
file(WRITE "${ussdgw_work_dir}/ussdgw.conf" "${conf}")

file(READ "${ussdgw_source_dir}/systemd/ussdgw.service" unit)
string(REPLACE "/usr/bin/" "${bin_dir}/" unit "${unit}")
string(REPLACE "/etc/ussdgw/" "${conf_dir}/" unit "${unit}")
string(REPLACE "/usr/share/doc/ussdgw/" "${doc_dir}/" unit "${unit}")
file(WRITE "${ussdgw_work_dir}/ussdgw.service" "${unit}")

# file(INSTALL) puts $DESTDIR in front (CPack stages the package that way)
# and records each file in install_manifest.txt.
file(INSTALL DESTINATION "${conf_dir}" TYPE FILE FILES "${ussdgw_work_dir}/ussdgw.conf")
file(INSTALL DESTINATION "${conf_dir}/menus" TYPE FILE FILES ${ussdgw_menu_files})
file(INSTALL DESTINATION "${unit_dir}" TYPE FILE FILES "${ussdgw_work_dir}/ussdgw.service")
