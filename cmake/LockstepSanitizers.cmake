# Sanitizers apply to every target of the build (libraries, tests, benchmarks) so that a
# report is never lost at a library boundary. UBSan does not recover: a finding fails the test.
if(LOCKSTEP_SANITIZER)
  string(REPLACE ";" "," _lockstep_san "${LOCKSTEP_SANITIZER}")
  add_compile_options(-fsanitize=${_lockstep_san} -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=${_lockstep_san})
  if(_lockstep_san MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=all)
  endif()
  if(_lockstep_san MATCHES "thread" AND LOCKSTEP_WITH_TBB)
    message(FATAL_ERROR "Debian's oneTBB is not built for ThreadSanitizer: configure the tsan build with -DLOCKSTEP_WITH_TBB=OFF")
  endif()
endif()
