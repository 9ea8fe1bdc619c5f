# Cross build for 64-bit Arm Linux boards with Debian's multiarch cross toolchain
# (g++-aarch64-linux-gnu; arm64 -dev packages under /usr/lib/aarch64-linux-gnu; see
# scripts/setup-cross and docs/deploy.md).
#   cmake --preset cross-aarch64                      (what CI does: static, no TBB, no sim)
#   cmake -S . -B build-arm -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
# Tests run on the build machine through qemu-user (CMAKE_CROSSCOMPILING_EMULATOR), so plain
# `ctest` works. Link statically (LOCKSTEP_STATIC_LINK=ON): dynamically linked aarch64
# programs that start threads hang under Debian 12's qemu-user, static ones run.
# Another triplet or a vendor SDK: override LOCKSTEP_CROSS_TRIPLET or the compilers, and
# CMAKE_SYSROOT when the SDK ships one.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(LOCKSTEP_CROSS_TRIPLET aarch64-linux-gnu CACHE STRING "GNU triplet of the cross toolchain")
set(CMAKE_C_COMPILER ${LOCKSTEP_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${LOCKSTEP_CROSS_TRIPLET}-g++)
# Debian multiarch: the arm64 libraries and their CMake packages live in /usr/lib/<triplet>,
# next to (and never mixed up with) the build machine's /usr/lib/x86_64-linux-gnu.
set(CMAKE_LIBRARY_ARCHITECTURE ${LOCKSTEP_CROSS_TRIPLET})

# No CMAKE_FIND_ROOT_PATH: Debian's cross toolchain is multiarch, not sysroot based. With
# CMAKE_LIBRARY_ARCHITECTURE set, find_package/find_library look in /usr/lib/<triplet> and
# never in /usr/lib/x86_64-linux-gnu, so an amd64 library cannot be picked up by mistake.

# Run target programs (ctest, try_run) under user-mode emulation. -L is the loader prefix
# that dynamically linked programs need; static ones ignore it.
if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
  find_program(LOCKSTEP_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64)
  if(LOCKSTEP_QEMU_AARCH64)
    set(CMAKE_CROSSCOMPILING_EMULATOR ${LOCKSTEP_QEMU_AARCH64} -L /usr/${LOCKSTEP_CROSS_TRIPLET})
  endif()
endif()
