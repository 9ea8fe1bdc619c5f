# Debian packages with CPack (docs/deploy.md, "Consuming Lockstep"):
#   cmake --preset cross-aarch64 && cmake --build --preset cross-aarch64
#   cpack --config build/cross-aarch64/CPackConfig.cmake -G DEB -B build/packages   -> arm64
#   cmake -S . -B build/deb -G Ninja -DCMAKE_INSTALL_PREFIX=/usr -DLOCKSTEP_BUILD_TESTS=OFF \
#         -DLOCKSTEP_BUILD_BENCH=OFF [-DLOCKSTEP_BUILD_SIM=OFF] && cmake --build build/deb \
#     && cpack --config build/deb/CPackConfig.cmake -G DEB -B build/packages          -> amd64
# One package, liblockstep-dev: the static libraries, the public headers, the exported CMake
# package (find_package(Lockstep)) and, when the simulator is built, lockstep-sim.
# The architecture is the target's (arm64 for the cross build), not the build machine's.
# With the libraries and the CMake package under lib/<triplet> (the cross preset sets
# CMAKE_INSTALL_LIBDIR; natively GNUInstallDirs does it when CMAKE_INSTALL_PREFIX is /usr)
# and without the simulator, the package is Multi-Arch: same, so the amd64 and arm64
# packages install side by side on a development host that cross-builds for a board.
set(CPACK_PACKAGE_NAME liblockstep-dev)
set(CPACK_PACKAGE_VENDOR "Lockstep")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "Lockstep maintainers <lockstep@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES OFF)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)

set(CPACK_DEBIAN_PACKAGE_NAME liblockstep-dev)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# CPack prefixes the summary and indents the lines for debian/control itself.
set(CPACK_PACKAGE_DESCRIPTION "Lockstep runs a control computation on N replicas, votes over their outputs
and reports whether the result can be trusted, within a deadline. This package
holds the static libraries, the headers and the CMake package:
find_package(Lockstep CONFIG REQUIRED), target_link_libraries(app lockstep::runtime).")

# Debian architecture of the target, from the compiler's triplet.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(_lockstep_deb_arch arm64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(_lockstep_deb_arch amd64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^arm")
  set(_lockstep_deb_arch armhf)
else()
  set(_lockstep_deb_arch ${CMAKE_SYSTEM_PROCESSOR})
endif()
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${_lockstep_deb_arch})
# Not with the simulator: /usr/bin/lockstep-sim is an architecture-dependent file outside the
# multiarch directory, which a Multi-Arch: same package must not hold.
if(CMAKE_LIBRARY_ARCHITECTURE AND CMAKE_INSTALL_LIBDIR MATCHES "/${CMAKE_LIBRARY_ARCHITECTURE}$"
   AND NOT LOCKSTEP_BUILD_SIM)
  # CMake 3.25 cannot write the field itself: a post-build script adds it (and newer CMake
  # reads CPACK_DEBIAN_PACKAGE_MULTIARCH, so the field is never written twice).
  set(CPACK_DEBIAN_PACKAGE_MULTIARCH same)
  set(CPACK_LOCKSTEP_DEB_MULTIARCH same)
  list(APPEND CPACK_POST_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/LockstepDebMultiArch.cmake)
endif()

# What find_package(Lockstep) needs on the consumer's side (cmake/LockstepConfig.cmake.in).
set(_lockstep_deb_depends "libeigen3-dev (>= 3.4)")
if(LOCKSTEP_WITH_TBB)
  string(APPEND _lockstep_deb_depends ", libtbb-dev")
endif()
if(LOCKSTEP_BUILD_SIM)
  # lockstep::sim links SQLite by path, so a consumer of the sim library needs its .so link.
  string(APPEND _lockstep_deb_depends ", libsqlite3-dev")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${_lockstep_deb_depends}")
# Programs in the package (lockstep-sim) get their shared-library dependencies computed by
# dpkg-shlibdeps; a cross or fully static build has none to compute.
if(NOT CMAKE_CROSSCOMPILING AND NOT LOCKSTEP_STATIC_LINK AND LOCKSTEP_BUILD_SIM)
  find_program(LOCKSTEP_DPKG_SHLIBDEPS dpkg-shlibdeps)
  if(LOCKSTEP_DPKG_SHLIBDEPS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  endif()
endif()

include(CPack)
