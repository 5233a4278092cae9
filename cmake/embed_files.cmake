# sluice_embed_files(<out.cpp> <header> <function> FILES <name> <content-type> <path> [...])
#
# Writes <out.cpp>, which defines `std::span<static_asset const> <function>()` (declared in <header>): each
# file as bytes in the binary, by the name it is served under. Read when CMake configures, and configured
# again when a file changes, so a served file can never differ from its source.
function(sluice_embed_files out header function)
    cmake_parse_arguments(arg "" "" "FILES" ${ARGN})
    set(arrays "")
    set(entries "")
    set(index 0)
    list(LENGTH arg_FILES count)
    while(index LESS count)
        list(GET arg_FILES ${index} name)
        math(EXPR index "${index} + 1")
        list(GET arg_FILES ${index} type)
        math(EXPR index "${index} + 1")
        list(GET arg_FILES ${index} path)
        math(EXPR index "${index} + 1")
        if(NOT EXISTS ${path})
            message(FATAL_ERROR "${path} is missing: run `make deps` (npm ci) first")
        endif()
        set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${path})
        file(READ ${path} hex HEX)
        string(LENGTH "${hex}" hex_length)
        math(EXPR size "${hex_length} / 2")
        string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
        string(MAKE_C_IDENTIFIER "${name}" id)
        string(APPEND arrays "constexpr char ${id}[] = {${bytes}};\n")
        string(APPEND entries "    static_asset{\"${name}\", \"${type}\", {${id}, ${size}}},\n")
    endwhile()
    file(CONFIGURE OUTPUT ${out} CONTENT "// Made by cmake/embed_files.cmake from the files it names: not to be edited.
#include \"${header}\"

#include <array>

namespace sluice::gate {

namespace {

${arrays}
constexpr std::array table{
${entries}};

} // namespace

std::span<static_asset const> ${function}() {
    return table;
}

} // namespace sluice::gate
")
endfunction()
