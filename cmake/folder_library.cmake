# sluice_folder_library(<target> <folder> SOURCES <files...> LINKS <targets...>)
#
# One static library per folder: <target> is built from the SOURCES in <folder> (relative to the calling
# CMakeLists.txt), and its include path is a folder of the build tree holding one link only, named after
# <folder>'s last part. Sources include it by that name ("torrent/torrent_engine.hpp"), and a library sees
# only the folders its LINKS bring: an include of a folder above it is not found, so it does not compile.
function(sluice_folder_library target folder)
    cmake_parse_arguments(arg "" "" "SOURCES;LINKS" ${ARGN})
    list(TRANSFORM arg_SOURCES PREPEND ${folder}/)
    add_library(${target} STATIC ${arg_SOURCES})
    get_filename_component(name ${folder} NAME)
    if(name STREQUAL "src")
        # publisher/<tool>/src is included by the tool's name
        get_filename_component(name ${folder} DIRECTORY)
        get_filename_component(name ${name} NAME)
    endif()
    set(root ${CMAKE_BINARY_DIR}/include-roots/${target})
    file(MAKE_DIRECTORY ${root})
    file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR}/${folder} ${root}/${name} SYMBOLIC)
    target_include_directories(${target} PUBLIC ${root})
    target_link_libraries(${target} PUBLIC ${arg_LINKS})
endfunction()
