# Small helpers so that every target is declared the same way
# (after Abseil's CMake/AbseilHelpers.cmake: one call a library).

set(ZASTAVA_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual -Wconversion
    -Wsign-conversion -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough)

function(zastava_target_defaults target)
  target_compile_options(${target} PRIVATE ${ZASTAVA_WARNINGS})
  if(ZASTAVA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# zastava_library(NAME name SOURCES ... DEPS ...)
# Declares the static library zastava_<name> with the alias zastava::<name>.
# Headers are included as "<module>/<file>.hpp" relative to src/.
function(zastava_library)
  cmake_parse_arguments(ZL "" "NAME" "SOURCES;DEPS" ${ARGN})
  set(target zastava_${ZL_NAME})
  add_library(${target} STATIC ${ZL_SOURCES})
  add_library(zastava::${ZL_NAME} ALIAS ${target})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${ZL_DEPS})
  zastava_target_defaults(${target})
endfunction()

# zastava_test(NAME name SOURCES ... DEPS ...)
# One GoogleTest executable a module; every TEST() becomes a CTest test.
function(zastava_test)
  cmake_parse_arguments(ZT "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${ZT_NAME} ${ZT_SOURCES})
  target_link_libraries(${ZT_NAME} PRIVATE ${ZT_DEPS} GTest::gtest GTest::gtest_main Threads::Threads)
  target_compile_definitions(${ZT_NAME} PRIVATE
    ZASTAVA_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    ZASTAVA_TESTDATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
  zastava_target_defaults(${ZT_NAME})
  gtest_discover_tests(${ZT_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
