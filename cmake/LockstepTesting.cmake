# lockstep_add_test(<name> SOURCES ... [LIBS ...] [LABELS ...] [TIMEOUT s] [THREADED])
# One GoogleTest executable, registered with ctest as a single test (fast to list, and
# TIMEOUT applies to the whole binary). THREADED marks tests that ThreadSanitizer must see;
# it also adds the label `threaded`, so the aarch64 cross stage runs them under emulation.
# Under an emulator (cross builds: qemu-user) every TIMEOUT is multiplied by
# LOCKSTEP_TEST_TIMEOUT_SCALE and tests see LOCKSTEP_EMULATED=1 in their environment (for
# the rare test that measures wall time; prefer hw::SimClock).
set(LOCKSTEP_TEST_TIMEOUT_SCALE 1 CACHE STRING "Factor applied to every test TIMEOUT (the cross preset raises it for qemu)")
find_package(GTest REQUIRED)
find_package(rapidcheck CONFIG QUIET)
function(lockstep_add_test name)
  cmake_parse_arguments(ARG "THREADED" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main Threads::Threads
    $<BUILD_INTERFACE:lockstep_warnings>)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(ARG_THREADED)
    list(APPEND ARG_LABELS threaded)
  endif()
  math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * ${LOCKSTEP_TEST_TIMEOUT_SCALE}")
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
  if(CMAKE_CROSSCOMPILING_EMULATOR)
    set_tests_properties(${name} PROPERTIES ENVIRONMENT LOCKSTEP_EMULATED=1)
  endif()
endfunction()
