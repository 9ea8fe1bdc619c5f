# lockstep_add_component(<name> [INTERFACE] [SOURCES ...] [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Creates target lockstep_<name>, alias lockstep::<name>, public headers under
# <name>/include, installed and exported as lockstep::<name>.
function(lockstep_add_component name)
  cmake_parse_arguments(ARG "INTERFACE" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  set(tgt lockstep_${name})
  if(ARG_INTERFACE)
    add_library(${tgt} INTERFACE)
    target_include_directories(${tgt} INTERFACE
      $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_link_libraries(${tgt} INTERFACE ${ARG_PUBLIC_DEPS})
    target_compile_features(${tgt} INTERFACE cxx_std_20)
  else()
    add_library(${tgt} ${ARG_SOURCES})
    target_include_directories(${tgt} PUBLIC
      $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_include_directories(${tgt} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
    target_link_libraries(${tgt} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS} $<BUILD_INTERFACE:lockstep_warnings>)
    target_compile_features(${tgt} PUBLIC cxx_std_20)
    set_target_properties(${tgt} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endif()
  set_target_properties(${tgt} PROPERTIES EXPORT_NAME ${name})
  add_library(lockstep::${name} ALIAS ${tgt})
  install(TARGETS ${tgt} EXPORT LockstepTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()
