# find_package(lindperf) support. lindperf is header-only, so this only describes it:
#
#     find_package(lindperf 0.3 REQUIRED)
#     target_link_libraries(app PRIVATE lindperf::lindperf)
#     target_compile_definitions(app PRIVATE LIND_PERF)     # in the builds that measure
#
# It also sets lindperf_COMPARE_EXECUTABLE and lindperf_PLOT_EXECUTABLE, for add_test.
# Every path is found from where this file lies (PREFIX/lib/cmake/lindperf), so an
# installed tree can be moved.

include(CMakeFindDependencyMacro)
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_dependency(Threads)

get_filename_component(_lindperf_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(NOT TARGET lindperf::lindperf)
    add_library(lindperf::lindperf INTERFACE IMPORTED)
    set_target_properties(lindperf::lindperf PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES "${_lindperf_prefix}/include"
        INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()

set(lindperf_COMPARE_EXECUTABLE "${_lindperf_prefix}/bin/lindperf-compare")
set(lindperf_PLOT_EXECUTABLE "${_lindperf_prefix}/bin/lindperf-plot")
unset(_lindperf_prefix)
