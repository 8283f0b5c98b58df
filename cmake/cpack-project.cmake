# Read by cpack for each generator (CPACK_PROJECT_CONFIG_FILE, set in
# cmake/install.cmake).
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_TUNER_CONFIGURED_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR
    "tuner: this build tree was configured with CMAKE_INSTALL_PREFIX="
    "${CPACK_TUNER_CONFIGURED_PREFIX}, so its tuner looks for profiles in "
    "${CPACK_TUNER_CONFIGURED_PREFIX}/share/tuner/profiles; the .deb installs "
    "them in /usr/share/tuner/profiles. Build the package from a tree "
    "configured with -DCMAKE_INSTALL_PREFIX=/usr.")
endif()
if(CPACK_GENERATOR STREQUAL "DEB" AND CPACK_TUNER_FAULT_INJECTION)
  message(FATAL_ERROR
    "tuner: this build tree has the TUNER_FAULT test hook compiled in "
    "(TUNER_TESTS=ON, or TUNER_FAULT_INJECTION=ON): a package never holds such a "
    "binary. Build the package from a tree configured with -DTUNER_TESTS=OFF (and "
    "TUNER_FAULT_INJECTION AUTO or OFF).")
endif()
