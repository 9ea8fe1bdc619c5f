# lockstep_add_test(<name> SOURCES ... [LIBS ...] [LABELS ...] [TIMEOUT s] [THREADED])
# One GoogleTest executable, registered with ctest as a single test (fast to list, and
# TIMEOUT applies to the whole binary). THREADED marks tests that ThreadSanitizer must see.
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
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
endfunction()
