# The PostgreSQL server one ctest run shares (tests/CMakeLists.txt: the fixture sluice_pg_server). Starting a
# server takes about a second, a database in a running one a fifth of that, and ctest runs every test in a
# process of its own: a server per test would cost more than most tests' own work. Each test still makes a
# database of its own (tests/support/pg_cluster.hpp: pg_test_database); tests that stop or restart their
# server, or need fsync on, keep a private one.
#
#   cmake -DACTION=start|stop -DFOLDER=<folder> -P pg_test_server.cmake
#
# FOLDER is the server's socket folder, its data in FOLDER/data and its log in FOLDER/server.log. start
# stops and removes what an interrupted run left there first; stop removes the folder. Under root the server
# runs as the `postgres` user (PostgreSQL refuses root), as tests/support/pg_cluster.cpp does.
cmake_minimum_required(VERSION 3.22)

if(NOT ACTION MATCHES "^(start|stop)$" OR NOT FOLDER)
    message(FATAL_ERROR "usage: cmake -DACTION=start|stop -DFOLDER=<folder> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()

# Debian keeps the programs in /usr/lib/postgresql/<version>/bin, off PATH: the newest version's.
file(GLOB versions LIST_DIRECTORIES true /usr/lib/postgresql/*)
set(bin "")
set(best 0)
foreach(dir IN LISTS versions)
    get_filename_component(version ${dir} NAME)
    if(EXISTS ${dir}/bin/postgres AND version MATCHES "^[0-9]+$" AND version GREATER best)
        set(best ${version})
        set(bin ${dir}/bin)
    endif()
endforeach()
if(NOT bin)
    message(FATAL_ERROR "PostgreSQL is not installed (installer/setup-deps.sh installs postgresql)")
endif()

execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
set(as_server "")
if(uid STREQUAL "0")
    set(as_server setpriv --reuid=postgres --regid=postgres --clear-groups)
endif()

set(data ${FOLDER}/data)

function(stop_server mode)
    if(EXISTS ${data}/postmaster.pid)
        execute_process(COMMAND ${as_server} ${bin}/pg_ctl stop -D ${data} -m ${mode} -w -t 30
                        OUTPUT_QUIET ERROR_QUIET)
    endif()
endfunction()

if(ACTION STREQUAL "stop")
    stop_server(fast)
    file(REMOVE_RECURSE ${FOLDER})
    return()
endif()

stop_server(immediate)
file(REMOVE_RECURSE ${FOLDER})
file(MAKE_DIRECTORY ${FOLDER})
if(as_server)
    execute_process(COMMAND chown postgres:postgres ${FOLDER} RESULT_VARIABLE failed)
    if(failed)
        message(FATAL_ERROR "cannot give ${FOLDER} to the postgres user")
    endif()
endif()

execute_process(
    COMMAND ${as_server} ${bin}/initdb -D ${data} -U sluice -A trust -E UTF8 --locale=C --no-sync
    OUTPUT_FILE ${FOLDER}/initdb.log ERROR_FILE ${FOLDER}/initdb.log RESULT_VARIABLE failed)
if(failed)
    file(READ ${FOLDER}/initdb.log log)
    message(FATAL_ERROR "initdb failed:\n${log}")
endif()

# As pg_cluster.cpp's servers that are not `durable`: a test's data need not outlive the run. Two tests at a
# time, each with a few gates' connections (store_concurrency_test opens a dozen), fit well within 300.
set(options "-k ${FOLDER} -c listen_addresses= -c max_connections=300")
string(APPEND options " -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
execute_process(
    COMMAND ${as_server} ${bin}/pg_ctl start -D ${data} -l ${FOLDER}/server.log -w -t 60 -o "${options}"
    OUTPUT_QUIET ERROR_QUIET RESULT_VARIABLE failed)
if(failed)
    file(READ ${FOLDER}/server.log log)
    message(FATAL_ERROR "PostgreSQL did not start in ${FOLDER}:\n${log}")
endif()
message(STATUS "PostgreSQL ${best} on ${FOLDER}")
