# Installation ('cmake --install') and the Debian package ('cpack -G DEB',
# 'cmake --build BUILD --target package'). Included at the end of the top
# CMakeLists.txt; the tuner target and its install(TARGETS) rule (sbin) are in
# tuner/CMakeLists.txt.
#
# The binary looks for shipped profiles in CMAKE_INSTALL_FULL_DATADIR/tuner/
# profiles (TN_PROFILE_DIR, fixed when it is compiled), so the .deb must come
# from a tree configured with -DCMAKE_INSTALL_PREFIX=/usr: cpack refuses
# another (see cmake/cpack-project.cmake).
#
#   prefix/sbin/tuner
#   prefix/share/tuner/profiles/*.json, README.md
#   /etc/tuner/profile.json        (always /etc: the units name it; kept if there)
#   UNITDIR/tuner.service, tuner-hotplug@.service, tuner-watch.service
#   UDEVDIR/rules.d/90-tuner.rules
#   prefix/share/man/man8/tuner.8.gz
#   prefix/share/bash-completion/completions/tuner
#   prefix/share/doc/tuner/copyright, changelog.gz
#
# UNITDIR and UDEVDIR are Debian 12's /lib/systemd/system and /lib/udev for the
# prefix /usr, else below the prefix (systemd and udev read
# /usr/local/lib/{systemd/system,udev/rules.d} too); TUNER_SYSTEMD_UNITDIR and
# TUNER_UDEVDIR override them.

set(TN_SCRIPTS ${PROJECT_SOURCE_DIR}/scripts)
set(TN_GEN ${CMAKE_BINARY_DIR}/install)

# Write TEXT to OUT (in the build tree) only when it changes; reconfigure when
# SRC changes.
function(tn_generate out text src)
  file(WRITE ${out}.tmp "${text}")
  configure_file(${out}.tmp ${out} COPYONLY)
  file(REMOVE ${out}.tmp)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${src})
endfunction()

if(NOT DEFINED TUNER_SYSTEMD_UNITDIR)
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(TUNER_SYSTEMD_UNITDIR /lib/systemd/system)
  else()
    set(TUNER_SYSTEMD_UNITDIR ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
  endif()
endif()
if(NOT DEFINED TUNER_UDEVDIR)
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(TUNER_UDEVDIR /lib/udev)
  else()
    set(TUNER_UDEVDIR ${CMAKE_INSTALL_PREFIX}/lib/udev)
  endif()
endif()

# The units name /usr/sbin/tuner; for another prefix, copies that name the
# installed binary.
foreach(unit tuner.service tuner-hotplug@.service tuner-watch.service)
  file(READ ${TN_SCRIPTS}/${unit} text)
  string(REPLACE "/usr/sbin/tuner " "${CMAKE_INSTALL_FULL_SBINDIR}/tuner " text "${text}")
  tn_generate(${TN_GEN}/${unit} "${text}" ${TN_SCRIPTS}/${unit})
endforeach()
install(FILES ${TN_GEN}/tuner.service ${TN_GEN}/tuner-hotplug@.service ${TN_GEN}/tuner-watch.service
  DESTINATION ${TUNER_SYSTEMD_UNITDIR})
install(FILES ${TN_SCRIPTS}/90-tuner.rules DESTINATION ${TUNER_UDEVDIR}/rules.d)

# Profiles.
file(GLOB TN_PROFILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/profiles/*.json
  ${PROJECT_SOURCE_DIR}/profiles/README.md)
install(FILES ${TN_PROFILES} DESTINATION ${CMAKE_INSTALL_DATADIR}/tuner/profiles)

# /etc/tuner/profile.json: the default profile, with its "$schema" pointing at
# the installed schema (it is relative in profiles/).
file(READ ${PROJECT_SOURCE_DIR}/profiles/default.json text)
string(REPLACE "\"$schema\": \"schema.json\""
  "\"$schema\": \"${CMAKE_INSTALL_FULL_DATADIR}/tuner/profiles/schema.json\"" text "${text}")
tn_generate(${TN_GEN}/profile.json "${text}" ${PROJECT_SOURCE_DIR}/profiles/default.json)
# An existing one is the administrator's: 'cmake --install' leaves it alone
# (dpkg handles it as a conffile).
install(CODE "
  if(EXISTS \"\$ENV{DESTDIR}/etc/tuner/profile.json\")
    message(STATUS \"Keeping: \$ENV{DESTDIR}/etc/tuner/profile.json (it exists)\")
  else()
    file(INSTALL DESTINATION /etc/tuner TYPE FILE FILES \"${TN_GEN}/profile.json\")
  endif()")

# The man page, compressed as Debian wants (-n: no name or time stamp inside).
find_program(TN_GZIP gzip)
if(TN_GZIP)
  add_custom_command(OUTPUT ${TN_GEN}/tuner.8.gz
    COMMAND ${TN_GZIP} -9nc ${TN_SCRIPTS}/tuner.8 > ${TN_GEN}/tuner.8.gz
    DEPENDS ${TN_SCRIPTS}/tuner.8 VERBATIM)
  add_custom_target(tuner_man ALL DEPENDS ${TN_GEN}/tuner.8.gz)
  install(FILES ${TN_GEN}/tuner.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
else()
  install(FILES ${TN_SCRIPTS}/tuner.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
endif()

install(FILES ${TN_SCRIPTS}/tuner.bash-completion
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME tuner)

# prefix/share/doc/tuner: copyright, in Debian's machine-readable format
# (copyright-format 1.0), with the text of LICENSE (MIT, "Expat" in Debian's
# names); and the changelog, scripts/deb/changelog (Debian's format; a native
# package has it as changelog.gz).
file(READ ${PROJECT_SOURCE_DIR}/LICENSE license)
string(REGEX MATCH "Copyright \\(c\\) ([^\n]*)" _ "${license}")
set(TN_COPYRIGHT "${CMAKE_MATCH_1}")
string(REGEX REPLACE "^MIT License\n\nCopyright[^\n]*\n\n" "" text "${license}")
string(REGEX REPLACE "\n+$" "" text "${text}")
string(REPLACE "\n\n" "\n.\n" text "${text}")
string(REPLACE "\n" "\n " text "${text}")
tn_generate(${TN_GEN}/copyright
"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: tuner

Files: *
Copyright: ${TN_COPYRIGHT}
License: Expat
 ${text}
" ${PROJECT_SOURCE_DIR}/LICENSE)
install(FILES ${TN_GEN}/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tuner)
if(TN_GZIP)
  add_custom_command(OUTPUT ${TN_GEN}/changelog.gz
    COMMAND ${TN_GZIP} -9nc ${TN_SCRIPTS}/deb/changelog > ${TN_GEN}/changelog.gz
    DEPENDS ${TN_SCRIPTS}/deb/changelog VERBATIM)
  add_custom_target(tuner_changelog ALL DEPENDS ${TN_GEN}/changelog.gz)
  install(FILES ${TN_GEN}/changelog.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tuner)
else()
  install(FILES ${TN_SCRIPTS}/deb/changelog DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tuner)
endif()

# ---- CPack: the .deb ----
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tuner)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR tuner)
set(TUNER_DEB_MAINTAINER
  "tuner maintainers <maintainers@users.noreply.h-seed-ae7491dd.example>"
  CACHE STRING "Maintainer field of the .deb")
set(CPACK_PACKAGE_CONTACT "${TUNER_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${TUNER_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "automated network receive-path tuner")
# The long description; CPack puts the summary first and indents each line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "tuner reads the NUMA topology and each NIC's queues and IRQs, and plans from a
profile IRQ affinity, netdev_max_backlog, netdev_budget, socket buffer sizes,
ethtool ring sizes and the placement of target processes on the NUMA node
opposite the NIC. It shows the plan as a diff, applies it as a journaled
transaction and rolls it back.
.
A systemd unit (not enabled by installing the package) applies
/etc/tuner/profile.json at boot; a udev rule tunes NICs that appear later.
Another (tuner-watch.service, not enabled either) keeps it applied as links,
drivers and processes come and go.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)           # tuner_VERSION_ARCH.deb
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# Depends from the libraries the binary links (its NEEDED entries, through
# dpkg-shlibdeps from dpkg-dev): now libc6, libcjson1, libhwloc15, libnl-3-200,
# libnl-genl-3-200. libnl-route-3-200 comes in when the binary uses a symbol
# of it (the link drops it until then). libsystemd0 is named by hand: tuner
# watch loads it with dlopen (cli/sdnotify.c), so no NEEDED entry shows it.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libsystemd0")
# Maintainer scripts: systemctl daemon-reload; tuner-watch.service stopped on
# remove, restarted (if running) on upgrade; on purge, /var/lib/tuner.
# CPack 3.25 marks nothing as a conffile by itself: the conffiles file lists
# /etc/tuner/profile.json, once.
tn_generate(${TN_GEN}/conffiles "/etc/tuner/profile.json\n" ${CMAKE_CURRENT_LIST_FILE})
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${TN_GEN}/conffiles ${TN_SCRIPTS}/deb/postinst ${TN_SCRIPTS}/deb/prerm
  ${TN_SCRIPTS}/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Checked when cpack runs: the prefix this tree was configured with, and that
# its binary has no fault-injection hook.
set(CPACK_TUNER_CONFIGURED_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_TUNER_FAULT_INJECTION "${TN_FAULT_INJECTION}")
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/cpack-project.cmake)
# 'package_source': the checkout without builds and caches.
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/tests/vm/cache/" "__pycache__")
include(CPack)
