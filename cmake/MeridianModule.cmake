# meridian_module(NAME SOURCES... [DEPS targets...])
#
# Each module gets an include root of its own, build/inc/<name>/, holding one symlink <name> ->
# the module's source folder. A target can therefore include "storage/store.h" only if it links
# meridian_storage: the CMake target graph enforces DESIGN.md's module table at compile time.
function(meridian_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  set(inc ${CMAKE_BINARY_DIR}/inc/${name})
  file(MAKE_DIRECTORY ${inc})
  file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${name} ${inc}/${name} SYMBOLIC)
  add_library(meridian_${name} STATIC ${M_SOURCES} ${CMAKE_SOURCE_DIR}/${name}/README.md)
  set_target_properties(meridian_${name} PROPERTIES LINKER_LANGUAGE CXX)
  target_include_directories(meridian_${name} PUBLIC ${inc})
  target_link_libraries(meridian_${name} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
endfunction()
